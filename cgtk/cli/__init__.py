"""The ``cgtk`` command line. Each command module stays thin and imports
TensorFlow, Keras or JAX only inside the commands that need them."""
