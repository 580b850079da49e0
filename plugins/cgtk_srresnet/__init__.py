"""SRResNet and SRGAN for cgtk (Ledig et al. 2017). The entry points name these
keras-free specs; the models are imported only when used."""
import cgtk

srresnet_plugin = cgtk.Plugin(
    model="cgtk_srresnet.srresnet:SRResNet",
    summary="Super-resolution with a residual network and a pixel or VGG loss (SRResNet)",
    data_kind="single",
    default_data="div2k",
)

srgan_plugin = cgtk.Plugin(
    model="cgtk_srresnet.srgan:SRGAN",
    summary="Photo-realistic super-resolution with a GAN and a VGG content loss (SRGAN)",
    data_kind="single",
    default_data="div2k",
)
