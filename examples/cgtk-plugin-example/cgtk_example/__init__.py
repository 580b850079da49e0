"""cgtk-plugin-example: the entry point names this keras-free spec."""
import cgtk

plugin = cgtk.Plugin(
    model="cgtk_example.model:ResidualL1",
    summary="Example plugin: residual conv net trained with L1 on paired data",
    data_kind="paired",
    default_data="demo",
)
