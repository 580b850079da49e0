"""Random image degradations for blind super-resolution, in TensorFlow (for tf.data, CPU).

Real-ESRGAN's second-order model (Wang et al. 2021): :mod:`~cgtk.data.degrade.kernels`
(Gaussian, generalised Gaussian, plateau and sinc blur kernels),
:mod:`~cgtk.data.degrade.ops` (blur, random resize, Gaussian/Poisson noise, JPEG) and
:mod:`~cgtk.data.degrade.second_order` (the whole pipeline and its options). Every
random draw is stateless, from one seed: the same seed gives the same degradation.
"""
from cgtk.data.degrade.second_order import DegradationOptions, degrade

__all__ = ["DegradationOptions", "degrade"]
