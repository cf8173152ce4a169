"""Front-ends that turn source files into module facts, and the detectors that read them."""
