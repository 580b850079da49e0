"""CycleGAN for cgtk (Zhu et al. 2017). The entry point names this keras-free spec;
the model lives in :mod:`cgtk_cyclegan.model` and is imported only when used."""
import cgtk

plugin = cgtk.Plugin(
    model="cgtk_cyclegan.model:CycleGAN",
    summary="Unpaired image-to-image translation (CycleGAN, Zhu et al. 2017)",
    data_kind="unpaired",
    default_data="horse2zebra",
)
