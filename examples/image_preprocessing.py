"""Image preprocessing with plain Python loops, made fast by rustify.

A grayscale image is a flat float64 numpy array (row-major, `width` pixels a
row), as many pipelines hold it before handing it to a model. The steps are the
loops people write by hand: scale to [0, 1], a separable box blur (rows, then
columns), a binary threshold and a histogram. Each runs as Python, then as the
native code rustify builds for it; the results must be equal.

Run it with `python examples/image_preprocessing.py` inside the venv.
"""

import time

import numpy as np

import rustify


def normalize(pixels):
    out = np.empty_like(pixels)
    for i in range(len(pixels)):
        out[i] = pixels[i] / 255.0
    return out


def blur_rows(img, width, radius):
    out = np.zeros(len(img))
    height = len(img) // width
    for y in range(height):
        row = y * width
        for x in range(width):
            total = 0.0
            count = 0
            for k in range(x - radius, x + radius + 1):
                if 0 <= k < width:
                    total += img[row + k]
                    count += 1
            out[row + x] = total / count
    return out


def blur_columns(img, width, radius):
    out = np.zeros(len(img))
    height = len(img) // width
    for y in range(height):
        for x in range(width):
            total = 0.0
            count = 0
            for k in range(y - radius, y + radius + 1):
                if 0 <= k < height:
                    total += img[k * width + x]
                    count += 1
            out[y * width + x] = total / count
    return out


def threshold(img, level):
    out = np.zeros_like(img)
    for i in range(len(img)):
        if img[i] > level:
            out[i] = 1.0
    return out


def histogram(img, bins):
    counts = np.zeros(bins, dtype=np.int64)
    for i in range(len(img)):
        b = int(img[i] * bins)
        if b >= bins:
            b = bins - 1
        counts[b] += 1
    return counts


def preprocess(kernels, pixels, width):
    """The pipeline: normalise, blur (radius 2), threshold at 0.5, 32-bin histogram."""
    scaled = kernels["normalize"](pixels)
    blurred = kernels["blur_columns"](kernels["blur_rows"](scaled, width, 2), width, 2)
    mask = kernels["threshold"](blurred, 0.5)
    hist = kernels["histogram"](blurred, 32)
    return blurred, mask, hist


def make_image(width, height, seed=0):
    """A smooth gradient with a bright disc and noise, as 8-bit values in a float64 array."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    disc = ((x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.25) ** 2) * 120.0
    image = 60.0 + 80.0 * x / width + disc + rng.normal(0.0, 12.0, size=(height, width))
    return np.clip(np.round(image), 0, 255).astype(np.float64).ravel()


def timed(func, *args, repeat=1):
    """(result, best wall time in seconds over `repeat` runs)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - started)
    return result, best


def main(width=256, height=256):
    pixels = make_image(width, height)
    python = {f.__name__: f for f in (normalize, blur_rows, blur_columns, threshold, histogram)}
    native = {name: rustify.accelerate(f, eager=True) for name, f in python.items()}

    expected, python_time = timed(preprocess, python, pixels, width, repeat=3)
    _, first_time = timed(preprocess, native, pixels, width)  # compiles (or loads from the cache)
    got, native_time = timed(preprocess, native, pixels, width, repeat=3)

    for name, e, g in zip(("blurred", "mask", "histogram"), expected, got):
        assert e.dtype == g.dtype and np.array_equal(e, g), f"native {name} differs from Python"
    print(f"image             {width}x{height} pixels; blurred, mask and histogram equal Python's")
    for name, f in native.items():
        print(f"{name:<17} last call ran {f.rustify.last_call}")
    print(f"first run         {first_time:.2f} s (compile, or cache hit)")
    print(f"python            {python_time * 1e3:8.1f} ms per image (best of 3)")
    print(f"rustify           {native_time * 1e3:8.1f} ms per image (best of 3)")
    print(f"speedup           {python_time / native_time:8.1f}x")


if __name__ == "__main__":
    main()
