"""Fast neural style transfer for cgtk (Johnson et al. 2016). The entry point names
this keras-free spec; the model lives in :mod:`cgtk_style.model`."""
import cgtk

plugin = cgtk.Plugin(
    model="cgtk_style.model:FastStyle",
    summary="Fast style transfer trained with perceptual losses (Johnson et al. 2016)",
    data_kind="style",
    default_data="coco2014",
)
