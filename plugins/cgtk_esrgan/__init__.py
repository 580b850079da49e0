"""ESRGAN and Real-ESRGAN for cgtk (Wang et al. 2018, 2021). The entry points name these
keras-free specs; the models are imported only when used."""
import cgtk

esrgan_plugin = cgtk.Plugin(
    model="cgtk_esrgan.esrgan:ESRGAN",
    summary="Super-resolution with RRDBNet, a relativistic GAN and VGG features (ESRGAN)",
    data_kind="single",
    default_data="div2k",
)

realesrgan_plugin = cgtk.Plugin(
    model="cgtk_esrgan.realesrgan:RealESRGAN",
    summary="Blind super-resolution of real photos: RRDBNet trained on synthetic "
            "second-order degradations (Real-ESRGAN)",
    data_kind="single",
    default_data="div2k",
)
