"""The training engine: the plugin contract, per-backend train steps, the loop."""
