//! Conversion from `promql-parser`'s AST into ours, type-checking function arguments on the way.

use vigil_promql_syntax::*;

use promql_parser::label::MatchOp as PMatchOp;
use promql_parser::parser as p;
use std::time::{Duration, SystemTime};
use vigil_model::{MatchOp, Matcher};

/// Converts a parsed expression; the error is a message without position.
pub(crate) fn convert(e: &p::Expr) -> Result<Expr, String> {
    Ok(match e {
        p::Expr::NumberLiteral(n) => Expr::Number(n.val),
        p::Expr::StringLiteral(s) => Expr::String(s.val.clone()),
        p::Expr::VectorSelector(vs) => Expr::VectorSelector(selector(vs)?),
        p::Expr::MatrixSelector(ms) => {
            Expr::MatrixSelector { vs: selector(&ms.vs)?, range_ms: duration_ms(&ms.range)? }
        }
        p::Expr::Subquery(sq) => Expr::Subquery(SubqueryExpr {
            expr: Box::new(convert(&sq.expr)?),
            range_ms: duration_ms(&sq.range)?,
            step_ms: sq.step.as_ref().map(duration_ms).transpose()?,
            offset_ms: offset_ms(sq.offset.as_ref())?,
            at: sq.at.as_ref().map(at).transpose()?,
            durations: None,
        }),
        p::Expr::Unary(u) => Expr::Neg(Box::new(convert(&u.expr)?)),
        p::Expr::Paren(pe) => Expr::Paren(Box::new(convert(&pe.expr)?)),
        p::Expr::Binary(b) => binary(b)?,
        p::Expr::Aggregate(a) => aggregate(a)?,
        p::Expr::Call(c) => call(c)?,
        p::Expr::Extension(_) => return Err("extension expressions are not supported".into()),
    })
}

fn duration_ms(d: &Duration) -> Result<i64, String> {
    i64::try_from(d.as_millis()).map_err(|_| "duration out of range".to_owned())
}

fn offset_ms(o: Option<&p::Offset>) -> Result<i64, String> {
    Ok(match o {
        None => 0,
        Some(p::Offset::Pos(d)) => duration_ms(d)?,
        Some(p::Offset::Neg(d)) => -duration_ms(d)?,
    })
}

fn at(a: &p::AtModifier) -> Result<At, String> {
    Ok(match a {
        p::AtModifier::Start => At::Start,
        p::AtModifier::End => At::End,
        p::AtModifier::At(t) => At::Timestamp(match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => duration_ms(&d)?,
            Err(e) => -duration_ms(&e.duration())?,
        }),
    })
}

fn selector(vs: &p::VectorSelector) -> Result<VectorSelector, String> {
    if !vs.matchers.or_matchers.is_empty() {
        return Err("'or' inside label matchers is not supported".into());
    }
    let mut matchers = Vec::with_capacity(vs.matchers.matchers.len() + 1);
    for m in &vs.matchers.matchers {
        let op = match m.op {
            PMatchOp::Equal => MatchOp::Equal,
            PMatchOp::NotEqual => MatchOp::NotEqual,
            PMatchOp::Re(_) => MatchOp::Regex,
            PMatchOp::NotRe(_) => MatchOp::NotRegex,
        };
        matchers.push(Matcher::new(op, m.name.clone(), m.value.clone()).map_err(|e| e.to_string())?);
    }
    if let Some(name) = &vs.name {
        let present =
            matchers.iter().any(|m| m.name == vigil_model::METRIC_NAME && m.op == MatchOp::Equal && &m.value == name);
        if !present {
            matchers.insert(0, Matcher::equal(vigil_model::METRIC_NAME, name.clone()));
        }
    }
    if matchers.is_empty() || matchers.iter().all(Matcher::matches_empty) {
        return Err("vector selector must contain at least one non-empty matcher".into());
    }
    Ok(VectorSelector {
        name: vs.name.clone(),
        matchers,
        offset_ms: offset_ms(vs.offset.as_ref())?,
        at: vs.at.as_ref().map(at).transpose()?,
        extended: None,
        durations: None,
    })
}

fn label_list(l: &promql_parser::label::Labels) -> Vec<String> {
    l.labels.clone()
}

fn binary(b: &p::BinaryExpr) -> Result<Expr, String> {
    let op = match b.op.to_string().as_str() {
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Mod,
        "^" => BinaryOp::Pow,
        "atan2" => BinaryOp::Atan2,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::Ne,
        ">" => BinaryOp::Gt,
        "<" => BinaryOp::Lt,
        ">=" => BinaryOp::Ge,
        "<=" => BinaryOp::Le,
        "and" => BinaryOp::And,
        "or" => BinaryOp::Or,
        "unless" => BinaryOp::Unless,
        other => return Err(format!("unknown binary operator {other:?}")),
    };
    let lhs = convert(&b.lhs)?;
    let rhs = convert(&b.rhs)?;
    for side in [&lhs, &rhs] {
        let t = side.value_type();
        if t != ValueType::Scalar && t != ValueType::Vector {
            return Err(format!(
                "binary expression must contain only scalar and instant vector types, got {}",
                t.as_str()
            ));
        }
    }
    let both_vectors = lhs.value_type() == ValueType::Vector && rhs.value_type() == ValueType::Vector;
    if op.is_set() && !both_vectors {
        return Err(format!("set operator {:?} not allowed in binary scalar expression", op.as_str()));
    }
    let return_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
    if return_bool && !op.is_comparison() {
        return Err("bool modifier can only be used on comparison operators".into());
    }
    if op.is_comparison()
        && !return_bool
        && lhs.value_type() == ValueType::Scalar
        && rhs.value_type() == ValueType::Scalar
    {
        return Err("comparisons between scalars must use BOOL modifier".into());
    }
    let matching = if both_vectors {
        let mut vm = VectorMatching {
            card: if op.is_set() { Cardinality::ManyToMany } else { Cardinality::OneToOne },
            on: false,
            labels: Vec::new(),
            include: Vec::new(),
            fill: Default::default(),
        };
        if let Some(m) = &b.modifier {
            match &m.card {
                p::VectorMatchCardinality::OneToOne => {}
                p::VectorMatchCardinality::ManyToMany => vm.card = Cardinality::ManyToMany,
                p::VectorMatchCardinality::ManyToOne(l) => {
                    vm.card = Cardinality::ManyToOne;
                    vm.include = label_list(l);
                }
                p::VectorMatchCardinality::OneToMany(l) => {
                    vm.card = Cardinality::OneToMany;
                    vm.include = label_list(l);
                }
            }
            if let Some(lm) = &m.matching {
                vm.on = lm.is_include();
                vm.labels = label_list(lm.labels());
            }
        }
        if op.is_set() && matches!(vm.card, Cardinality::ManyToOne | Cardinality::OneToMany) {
            return Err(format!("no grouping allowed for {:?} operation", op.as_str()));
        }
        Some(vm)
    } else {
        None
    };
    Ok(Expr::Binary(BinaryExpr {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        return_bool,
        matching,
        offsets: Default::default(),
    }))
}

fn aggregate(a: &p::AggregateExpr) -> Result<Expr, String> {
    let name = a.op.to_string();
    let op = AggregateOp::from_name(&name).ok_or_else(|| format!("unknown aggregation {name:?}"))?;
    let expr = convert(&a.expr)?;
    if expr.value_type() != ValueType::Vector {
        return Err(format!(
            "expected type instant vector in aggregation expression, got {}",
            type_name(expr.value_type())
        ));
    }
    let param = a.param.as_ref().map(|p| convert(p)).transpose()?;
    match (&param, op.has_param()) {
        (None, true) => return Err(format!("no parameter given for aggregation {name:?}")),
        (Some(pe), true) => {
            let want = if op == AggregateOp::CountValues { ValueType::String } else { ValueType::Scalar };
            if pe.value_type() != want {
                return Err(format!(
                    "expected type {} in aggregation parameter, got {}",
                    type_name(want),
                    type_name(pe.value_type())
                ));
            }
        }
        _ => {}
    }
    let grouping = match &a.modifier {
        None => Grouping::default(),
        Some(m) => Grouping { without: !m.is_include(), labels: label_list(m.labels()) },
    };
    Ok(Expr::Aggregate(AggregateExpr {
        op,
        expr: Box::new(expr),
        param: if op.has_param() { param.map(Box::new) } else { None },
        grouping,
        offsets: Default::default(),
    }))
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Vector => "instant vector",
        ValueType::Matrix => "range vector",
        ValueType::Scalar => "scalar",
        ValueType::String => "string",
    }
}

fn call(c: &p::Call) -> Result<Expr, String> {
    let func = lookup_function(c.func.name).ok_or_else(|| format!("unknown function with name {:?}", c.func.name))?;
    let args = c.args.args.iter().map(|a| convert(a)).collect::<Result<Vec<_>, _>>()?;
    func.check_arity(args.len())?;
    for (i, a) in args.iter().enumerate() {
        let want = func.arg_type(i).ok_or_else(|| format!("too many arguments in call to {:?}", func.name))?;
        if a.value_type() != want {
            return Err(format!(
                "expected type {} in call to function {:?}, got {}",
                type_name(want),
                func.name,
                type_name(a.value_type())
            ));
        }
    }
    Ok(Expr::Call(Call { func, args, arg_offsets: Default::default() }))
}
