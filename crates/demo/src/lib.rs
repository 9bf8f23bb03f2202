//! A built-in Iris-like prediction API with the seeds' metrics and a traffic generator.
