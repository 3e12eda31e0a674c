//! Runnable examples of `traced`: see `examples/`.
