import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import softmax
from tests.strategies import batch_shapes, random_array, seeds, sizes


@given(seed=seeds, batch=batch_shapes, n=sizes)
def test_rows_sum_to_one_and_match_the_definition(seed, batch, n):
    x = random_array(seed, (*batch, n), scale=3.0)
    y = softmax(x)
    assert np.allclose(y.sum(axis=-1), 1.0)
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    assert np.allclose(y, expected, rtol=1e-12, atol=0)


def test_other_axis():
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    y = softmax(x, axis=0)
    assert np.allclose(y.sum(axis=0), 1.0)
    assert y[1, 0] == pytest.approx(np.exp(2) / (1 + np.exp(2)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_large_logits_do_not_overflow(dtype):
    # Underflow to 0 is expected; overflow or an invalid operation is not.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = softmax(np.array([1e4, 0.0, -1e4], dtype=dtype))
    assert y.dtype == dtype
    assert np.array_equal(y, np.array([1.0, 0.0, 0.0], dtype=dtype))


def test_shift_invariance():
    x = np.array([0.5, -1.0, 2.0])
    assert np.allclose(softmax(x), softmax(x + 1000.0))


def test_fully_masked_slice_gives_zeros_not_nan():
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, -np.inf, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = softmax(x)
    assert np.array_equal(y[0], [0.0, 0.0, 0.0])
    assert np.array_equal(y[1], [0.5, 0.0, 0.5])


@given(dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int64]))
def test_dtype_rule(dtype):
    y = softmax(np.ones(3, dtype=dtype))
    assert y.dtype == (dtype if dtype in (np.float16, np.float32) else np.float64)


def test_float16_end_to_end_masks_without_nan():
    # float16's largest number is 65504: a fill of -1e9 overflows to -inf, which
    # is exactly the masked value, and a fully masked row still gives zeros.
    with np.errstate(over="ignore"):
        fill = np.float16(-1e9)
    x = np.array([[1.0, 2.0, fill], [fill, fill, fill]], dtype=np.float16)
    with np.errstate(invalid="raise", divide="raise"):
        y = softmax(x)
    assert y.dtype == np.float16
    assert y[0, 2] == 0.0 and abs(float(y[0].sum()) - 1.0) < 1e-3
    assert np.array_equal(y[1], np.zeros(3, np.float16))


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (np.array([1.0, np.nan]), ValueError, "NaN"),
        (np.array([1.0, np.inf]), ValueError, "+inf"),
        (np.array(["a", "b"]), TypeError, "dtype"),
        (np.array(3.0), ValueError, "scalar"),
    ],
)
def test_bad_input_names_the_problem(bad, error, words):
    with pytest.raises(error, match=r"x .*" if error is TypeError else None) as info:
        softmax(bad)
    assert words in str(info.value)


def test_axis_out_of_range():
    with pytest.raises(ValueError, match="axis=2"):
        softmax(np.ones((2, 2)), axis=2)
