"""pix2pix for cgtk (Isola et al. 2017). The entry point names this keras-free spec;
the model lives in :mod:`cgtk_pix2pix.model` and is imported only when used."""
import cgtk

plugin = cgtk.Plugin(
    model="cgtk_pix2pix.model:Pix2Pix",
    summary="Paired image-to-image translation (pix2pix, Isola et al. 2017)",
    data_kind="paired",
    default_data="facades",
)
