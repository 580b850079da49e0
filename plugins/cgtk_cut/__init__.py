"""CUT and FastCUT for cgtk (Park, Efros, Zhang and Zhu, ECCV 2020): unpaired translation
with a patchwise contrastive loss (PatchNCE) instead of CycleGAN's second generator and
cycle loss. The entry points name these keras-free specs; the models live in
:mod:`cgtk_cut.model` and are imported only when used."""
import cgtk

cut_plugin = cgtk.Plugin(
    model="cgtk_cut.model:CUT",
    summary="Unpaired translation with patchwise contrastive learning (CUT, Park et al. 2020)",
    data_kind="unpaired",
    default_data="horse2zebra",
)

fastcut_plugin = cgtk.Plugin(
    model="cgtk_cut.model:FastCUT",
    summary="CUT's faster preset: lambda_NCE 10, no identity NCE, flip equivariance "
            "(FastCUT, Park et al. 2020)",
    data_kind="unpaired",
    default_data="horse2zebra",
)
