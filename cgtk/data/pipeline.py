"""The tf.data input pipelines: :func:`load_train_data`, :func:`load_eval_data`,
:func:`sample_inputs`.

Training batches are a pure function of ``(config.seed or 0, epoch, position)``:
the shuffle order comes from a numpy generator seeded with ``(seed, epoch)``, and
every crop and flip from stateless tf ops seeded per element. A resumed run that
asks for ``dataset(epoch, skip_batches=k)`` gets exactly batches k, k+1, ... of the
uninterrupted run; the skipped positions are dropped before anything is decoded.

>>> from cgtk.config import TrainConfig
>>> from cgtk.data.source import resolve_source
>>> cfg = TrainConfig(batch_size=4, image_size=32, seed=1)
>>> data = load_train_data(resolve_source("demo", "unpaired"), cfg)
>>> a, b = next(iter(data.dataset(0)))
>>> a.shape.as_list(), data.steps_per_epoch(4)
([4, 32, 32, 3], 50)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from cgtk.data import augment as aug
from cgtk.data.decode import DEFAULT_MAX_PIXELS, BadImage, decode_file
from cgtk.data.demo import demo_style_image
from cgtk.data.splits import SplitData, available_split, load_split
from cgtk.errors import CgtkError

AUTOTUNE = tf.data.AUTOTUNE


@dataclass
class Options:
    """The config values the data side reads (plugin-specific ones with defaults)."""

    batch_size: int = 1
    image_size: int = 256
    load_size: int | None = None
    flip: bool = True
    seed: int = 0
    epoch_length: int | None = None
    max_bad_fraction: float = 0.01
    direction: str = "AtoB"
    scale: int = 4
    style_image: str | None = None
    channels: int = 3
    max_pixels: int | None = DEFAULT_MAX_PIXELS
    #: single kind, training crops: ``make_lr(hr, seed, scale) -> lr`` (both [-1, 1]) in
    #: place of bicubic downscaling, from the plugin's ``config.make_lr()`` (a stateless
    #: tf function of the per-example seed, e.g. Real-ESRGAN's degradations).
    make_lr: object = None

    @classmethod
    def from_config(cls, config) -> Options:
        seed = getattr(config, "seed", None)
        opts = cls(
            batch_size=int(config.batch_size), image_size=int(config.image_size),
            load_size=config.load_size, flip=bool(config.flip),
            seed=int(seed or 0) % (2 ** 31), epoch_length=config.epoch_length,
            max_bad_fraction=float(config.max_bad_fraction),
            direction=getattr(config, "direction", "AtoB") or "AtoB",
            scale=int(getattr(config, "scale", 4) or 4),
            style_image=getattr(config, "style_image", None),
            channels=int(getattr(config, "channels", 3) or 3),
            max_pixels=getattr(config, "max_pixels", DEFAULT_MAX_PIXELS),
            make_lr=config.make_lr() if callable(getattr(config, "make_lr", None)) else None)
        if opts.direction not in ("AtoB", "BtoA"):
            raise CgtkError(f"direction={opts.direction!r} is not one of: AtoB, BtoA")
        if opts.channels not in (1, 3):
            raise CgtkError(f"channels={opts.channels} is not supported (use 1 or 3)")
        return opts


# ----------------------------------------------------------- element maps ---

def _gray(x, channels: int):
    return tf.image.rgb_to_grayscale(x) if channels == 1 else x


def _element_fn(data: SplitData, opts: Options, train: bool):
    """``fn(position, epoch, *indices) -> example`` for ``data``'s kind."""
    size, kind, c = opts.image_size, data.kind, opts.channels
    base = tf.constant(opts.seed, tf.int64)

    def seeds(epoch, pos):
        key = tf.cast(epoch, tf.int64) * (2 ** 32) + tf.cast(pos, tf.int64)
        return tf.random.experimental.stateless_split(tf.stack([base, key]), num=4)

    def crop_flip(x, s_crop, s_flip, multiple=1, channels=3):
        if train:
            x, offset = aug.random_crop(x, size, s_crop, multiple)
            coin = aug.flip_coin(s_flip) if opts.flip else tf.constant(False)
        else:
            x, offset = aug.center_crop(x, size, multiple)
            coin = tf.constant(False)
        x = aug.maybe_flip(x, coin)
        x.set_shape([size, size, channels])
        return x, offset, coin

    def load(role, index):
        return aug.to_float(data.roles[role].tf_load(index))

    def finish(x):
        x = _gray(x, c)
        x.set_shape([size, size, c])
        return x

    if kind == "unpaired":
        def fn(pos, epoch, ia, ib):
            s = seeds(epoch, pos)
            a = aug.prepare(load("A", ia), opts.load_size, size)
            b = aug.prepare(load("B", ib), opts.load_size, size)
            return (finish(crop_flip(a, s[0], s[1])[0]), finish(crop_flip(b, s[2], s[3])[0]))
    elif kind == "paired":
        def fn(pos, epoch, i):
            s = seeds(epoch, pos)
            if data.combined:
                ab = load("AB", i)
                half = tf.shape(ab)[1] // 2
                a, b = ab[:, :half], ab[:, half:2 * half]
            else:
                a, b = load("A", i), load("B", i)
            both = aug.prepare(tf.concat([a, b], -1), opts.load_size, size)
            both = crop_flip(both, s[0], s[1], channels=6)[0]
            a, b = both[..., :3], both[..., 3:]
            if opts.direction == "BtoA":
                a, b = b, a
            return finish(a), finish(b)
    elif kind == "single":
        scale = opts.scale
        lr_size = size // scale
        has_lr = "LR" in data.roles

        def fn(pos, epoch, i):
            s = seeds(epoch, pos)
            hr = load("HR", i)
            if not has_lr:
                hr = aug.prepare(hr, opts.load_size, size)
            hr_crop, (y, x), coin = crop_flip(hr, s[0], s[1], multiple=scale)
            if has_lr:
                lr = load("LR", i)
                ly, lx = y // scale, x // scale
                lr = aug.maybe_flip(lr[ly:ly + lr_size, lx:lx + lr_size], coin)
            elif opts.make_lr is not None and train:
                lr = opts.make_lr(hr_crop, s[2], scale)
            else:
                lr = aug.quantize(aug.resize(hr_crop, lr_size, lr_size))
            lr = _gray(lr, c)
            lr.set_shape([lr_size, lr_size, c])
            return lr, finish(hr_crop)
    elif kind == "style":
        def fn(pos, epoch, i):
            s = seeds(epoch, pos)
            x = aug.prepare(load("content", i), opts.load_size, size)
            return finish(crop_flip(x, s[0], s[1])[0])
    else:  # pragma: no cover - kinds are checked earlier
        raise ValueError(kind)
    return fn


def _whole_image_minimum(source, opts: Options) -> dict:
    """``load_split`` arguments for whole images (evaluation, sample grids): at least
    one pixel per half of a pair, and one LR pixel for super-resolution."""
    if source.kind == "single":
        return {"min_side": opts.scale, "min_side_why": f"scale={opts.scale}"}
    return {"min_side": 1, "min_side_why": "a side-by-side A|B pair"}


def _order(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``length`` indices into ``n`` items: whole permutations, one after another."""
    reps = -(-length // n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:length]


def _check_options(data: SplitData, opts: Options) -> None:
    if data.kind == "single":
        if opts.image_size % opts.scale:
            raise CgtkError(f"image_size={opts.image_size} is not a multiple of "
                            f"scale={opts.scale}", hint="choose image_size = k * scale")
        if "LR" in data.roles:
            if opts.load_size:
                raise CgtkError("load_size cannot be used with an LR/ folder "
                                "(it would misalign LR and HR)", hint="--set load_size=none")
            small = [name for i, name in enumerate(data.roles["HR"].names)
                     if min(data.roles["HR"].shape(i)) < opts.image_size]
            if small:
                raise CgtkError(f"HR image {small[0]} is smaller than image_size="
                                f"{opts.image_size} ({len(small)} such)",
                                hint="lower --set image_size")


# ------------------------------------------------------------- training ---

@dataclass
class TrainData:
    """A source's training split, ready to give deterministic epochs as tf.data.

    Attributes:
        kind: the data kind.
        num_examples: examples per epoch.
        skipped: ``(path, reason)`` of every unusable file left out.
        extras: ``{"style_image": float32 [H, W, 3]}`` for style data, else ``{}``.
    """

    kind: str
    num_examples: int
    skipped: list[tuple[str, str]]
    extras: dict
    split: str
    options: Options = field(repr=False)
    data: SplitData = field(repr=False)

    def steps_per_epoch(self, batch_size: int) -> int:
        """``floor(num_examples / batch_size)``, at least 1."""
        return max(1, self.num_examples // int(batch_size))

    def indices(self, epoch: int, length: int) -> tuple[np.ndarray, ...]:
        """The store indices of positions ``0 .. length-1`` of ``epoch``."""
        def rng(stream):
            return np.random.default_rng([self.options.seed, int(epoch), stream])

        if self.kind == "unpaired":
            na, nb = len(self.data.roles["A"]), len(self.data.roles["B"])
            return _order(na, length, rng(0)), rng(1).integers(0, nb, length)
        return (_order(len(self.data), length, rng(0)),)

    def dataset(self, epoch: int, skip_batches: int = 0, batch_size: int | None = None
                ) -> tf.data.Dataset:
        """The batches of ``epoch`` from batch ``skip_batches`` on (drop_remainder=True).

        unpaired: ``(a, b)``; paired: ``(a, b)`` = (input, target); single: ``(lr, hr)``;
        style: ``content``. float32 in [-1, 1], shape ``[B, H, W, C]``.
        """
        batch_size = int(batch_size or self.options.batch_size)
        steps = self.steps_per_epoch(batch_size)
        length = steps * batch_size
        start = min(int(skip_batches) * batch_size, length)
        indices = [ix[start:].astype(np.int64) for ix in self.indices(epoch, length)]
        positions = np.arange(start, length, dtype=np.int64)
        epochs = np.full(len(positions), int(epoch), np.int64)
        fn = _element_fn(self.data, self.options, train=True)
        ds = tf.data.Dataset.from_tensor_slices((positions, epochs, *indices))
        ds = ds.map(fn, num_parallel_calls=AUTOTUNE, deterministic=True)
        ds = ds.batch(batch_size, drop_remainder=True).prefetch(AUTOTUNE)
        options = tf.data.Options()
        options.deterministic = True
        return ds.with_options(options)


def _style_image(source, opts: Options) -> np.ndarray:
    path = opts.style_image
    if path is None:
        if source.origin == "demo":
            return demo_style_image(max(64, opts.image_size)).astype(np.float32) / 127.5 - 1.0
        path = source.files().style_image
        if path is None:
            raise CgtkError("no style image", hint="pass --set style_image=FILE (or put "
                            f"style.jpg in {source.root})")
    path = Path(path).expanduser()
    if not path.is_file() and source.root is not None and (source.root / path).is_file():
        path = source.root / path
    if not path.is_file():
        raise CgtkError(f"style_image={path}: no such file")
    try:
        return decode_file(path, opts.max_pixels).astype(np.float32) / 127.5 - 1.0
    except BadImage as err:
        raise CgtkError(f"style_image={path}: {err}") from None


def load_train_data(source, config, split: str = "train") -> TrainData:
    """Load ``split`` of ``source`` for training with ``config`` (a TrainConfig)."""
    opts = Options.from_config(config)
    data = load_split(source, split, image_size=opts.image_size, scale=opts.scale,
                      max_bad_fraction=opts.max_bad_fraction, max_pixels=opts.max_pixels,
                      min_side=opts.image_size,
                      min_side_why=f"the training crop (image_size={opts.image_size})")
    _check_options(data, opts)
    if data.kind == "unpaired":
        natural = max(len(data.roles["A"]), len(data.roles["B"]))
    else:
        natural = len(data)
    num = int(opts.epoch_length or natural)
    extras = {"style_image": _style_image(source, opts)} if data.kind == "style" else {}
    return TrainData(data.kind, num, list(data.skipped), extras, split, opts, data)


# ----------------------------------------------------------- evaluation ---

EVAL_SPLITS = ("test", "val", "train")


@dataclass
class EvalData:
    """Whole held-out images with their names (unbatched, decoded lazily).

    Iterating gives ``(a, b, name)`` for paired data (direction applied), ``(lr, hr,
    name)`` for single data (HR cropped to a multiple of ``scale``), ``(content, name)``
    for style data; unpaired data is read per domain with :meth:`domain`.
    ``split`` says which split was used (``test``, else ``val``, else ``train``).
    """

    kind: str
    split: str
    skipped: list[tuple[str, str]]
    options: Options = field(repr=False)
    data: SplitData = field(repr=False)

    def __len__(self) -> int:
        return len(self.data)

    def _image(self, role: str, i: int) -> np.ndarray:
        x = self.data.roles[role].load_np(i).astype(np.float32) / 127.5 - 1.0
        if self.options.channels == 1:
            x = (x @ np.array([0.2989, 0.587, 0.114], np.float32))[..., None]
        return x

    def domain(self, name: str) -> list[tuple[np.ndarray, str]]:
        """Unpaired data: every image of domain ``"A"`` or ``"B"`` with its file name."""
        if self.kind != "unpaired":
            raise TypeError(f"domain() is for unpaired data, this is {self.kind} data")
        if name not in ("A", "B"):
            raise ValueError(f"domain must be 'A' or 'B', got {name!r}")
        store = self.data.roles[name]
        return [(self._image(name, i), store.names[i]) for i in range(len(store))]

    def __iter__(self):
        kind, data, opts = self.kind, self.data, self.options
        if kind == "unpaired":
            raise TypeError("unpaired evaluation data is read per domain: use .domain('A') "
                            "and .domain('B')")
        first = next(iter(data.roles))
        names = data.roles[first].names
        for i in range(len(data)):
            if kind == "paired":
                if data.combined:
                    ab = self._image("AB", i)
                    half = ab.shape[1] // 2
                    a, b = ab[:, :half], ab[:, half:2 * half]
                else:
                    a, b = self._image("A", i), self._image("B", i)
                yield (b, a, names[i]) if opts.direction == "BtoA" else (a, b, names[i])
            elif kind == "single":
                s = opts.scale
                hr = self._image("HR", i)
                h, w = hr.shape[0] // s * s, hr.shape[1] // s * s
                if h == 0 or w == 0:
                    continue
                hr = hr[:h, :w]
                if "LR" in data.roles:
                    lr = self._image("LR", i)[:h // s, :w // s]
                else:
                    lr = aug.quantize(aug.resize(tf.constant(hr), h // s, w // s)).numpy()
                yield lr, hr, names[i]
            else:
                yield self._image("content", i), names[i]


def load_eval_data(source, config, split: str = "test") -> EvalData:
    """Whole images of ``split`` (falling back ``test`` -> ``val`` -> ``train``)."""
    opts = Options.from_config(config)
    order = (split,) + tuple(s for s in EVAL_SPLITS if s != split)
    if split in EVAL_SPLITS:
        order = EVAL_SPLITS[EVAL_SPLITS.index(split):]
    used = available_split(source, order)
    data = load_split(source, used, image_size=opts.image_size, scale=opts.scale,
                      max_bad_fraction=opts.max_bad_fraction, in_memory=False,
                      max_pixels=opts.max_pixels, **_whole_image_minimum(source, opts))
    return EvalData(data.kind, used, list(data.skipped), opts, data)


def sample_inputs(source, config, n: int):
    """``n`` held-out examples at ``image_size`` (centre crops, no flips), as numpy.

    Same structure as a training batch: ``(a, b)``, ``(lr, hr)`` or ``content``. From
    the test split (else val, else train); fewer than ``n`` images are repeated.
    """
    opts = Options.from_config(config)
    used = available_split(source, EVAL_SPLITS)
    data = load_split(source, used, image_size=opts.image_size, scale=opts.scale,
                      max_bad_fraction=opts.max_bad_fraction, in_memory=False,
                      max_pixels=opts.max_pixels, **_whole_image_minimum(source, opts))
    _check_options(data, opts)
    n = int(n)
    positions = np.arange(n, dtype=np.int64)
    if data.kind == "unpaired":
        indices = [positions % len(data.roles["A"]), positions % len(data.roles["B"])]
    else:
        indices = [positions % len(data)]
    fn = _element_fn(data, opts, train=False)
    ds = tf.data.Dataset.from_tensor_slices((positions, np.zeros(n, np.int64), *indices))
    ds = ds.map(fn, num_parallel_calls=AUTOTUNE, deterministic=True).batch(n)
    batch = next(iter(ds))
    if isinstance(batch, tuple):
        return tuple(x.numpy() for x in batch)
    return batch.numpy()
