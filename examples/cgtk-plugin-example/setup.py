"""An example third-party cgtk plugin: install it and `cgtk plugins list` shows 'example'."""
from setuptools import setup

setup(
    name="cgtk-plugin-example",
    version="0.1.0",
    description="Example cgtk plugin: a small residual image-to-image network trained with L1",
    packages=["cgtk_example"],
    install_requires=["cgtk"],
    entry_points={"cgtk.plugins": ["example = cgtk_example:plugin"]},
)
