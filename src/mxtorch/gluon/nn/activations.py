"""Activation layers: element-wise non-linearities as blocks.

Each layer keeps its input's shape. The parameter-free ones run the ``Activation`` or
``LeakyReLU`` operator; ``PReLU`` learns its negative slope.
"""
from __future__ import annotations

from typing import Any

from ... import initializer
from ..block import HybridBlock

__all__ = ["Activation", "LeakyReLU", "PReLU", "ELU", "SELU", "Swish", "GELU"]


class Activation(HybridBlock):
    """Applies one of the ``Activation`` operator's functions element-wise.

    Parameters
    ----------
    activation : str
        The function: 'relu', 'sigmoid', 'tanh', 'softrelu' (``log(1 + exp(x))``) or 'softsign'
        (``x / (1 + |x|)``).

    Examples
    --------
    >>> act = nn.Activation('relu')
    >>> act(mx.nd.array([-1.0, 2.0])).asnumpy()
    array([0., 2.], dtype=float32)
    """

    def __init__(self, activation: str, **kwargs: Any):
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self) -> str:
        return self._act_type

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.Activation(x, act_type=self._act_type, name="fwd")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._act_type})"


class LeakyReLU(HybridBlock):
    """Leaky ReLU: ``x`` for ``x >= 0`` and ``alpha * x`` below, so negative inputs keep a small
    gradient.

    Parameters
    ----------
    alpha : float
        Slope for negative inputs; a negative value raises ``ValueError``.
    """

    def __init__(self, alpha: float, **kwargs: Any):
        if alpha < 0:
            raise ValueError(f"Slope coefficient for LeakyReLU must be no less than 0, got {alpha}.")
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.LeakyReLU(x, act_type="leaky", slope=self._alpha, name="fwd")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._alpha})"


class PReLU(HybridBlock):
    """Parametric ReLU (He et al., 2015): a leaky ReLU whose negative slope ``alpha`` is learned.

    ``x`` for ``x >= 0`` and ``alpha * x`` below, with one ``alpha`` shared by all channels or one per
    channel (axis 1).

    Parameters
    ----------
    alpha_initializer : Initializer, default Constant(0.25)
        Initializer of ``alpha``.
    in_channels : int, default 1
        Number of slopes: 1 for a single shared slope, or the size of the input's axis 1.
    """

    def __init__(self, alpha_initializer: Any = initializer.Constant(0.25), in_channels: int = 1,
                 **kwargs: Any):
        super().__init__(**kwargs)
        with self.name_scope():
            self.alpha = self.params.get("alpha", shape=(in_channels,), init=alpha_initializer)

    def hybrid_forward(self, F: Any, x: Any, alpha: Any) -> Any:
        return F.LeakyReLU(x, gamma=alpha, act_type="prelu", name="fwd")


class ELU(HybridBlock):
    """Exponential linear unit (Clevert et al., 2016): ``x`` for ``x > 0`` and
    ``alpha * (exp(x) - 1)`` below.

    Parameters
    ----------
    alpha : float, default 1.0
        Scale of the negative part: the output tends to ``-alpha`` for very negative inputs.
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.LeakyReLU(x, act_type="elu", slope=self._alpha)


class SELU(HybridBlock):
    """Scaled exponential linear unit (Klambauer et al., 2017), the activation of self-normalizing
    networks.

    ``scale * x`` for ``x > 0`` and ``scale * alpha * (exp(x) - 1)`` below, with the fixed constants
    ``scale ~ 1.0507`` and ``alpha ~ 1.6733`` that keep activations near zero mean and unit
    variance.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.LeakyReLU(x, act_type="selu", name="fwd")


class GELU(HybridBlock):
    """Gaussian error linear unit (Hendrycks and Gimpel, 2016): ``x * Phi(x)``, with ``Phi`` the
    standard normal distribution function.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.LeakyReLU(x, act_type="gelu", name="fwd")


class Swish(HybridBlock):
    """Swish (Ramachandran et al., 2017): ``x * sigmoid(beta * x)``.

    Parameters
    ----------
    beta : float, default 1.0
        Sharpness of the gate; with 1.0 this is also called SiLU.
    """

    def __init__(self, beta: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self._beta = beta

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return x * F.sigmoid(self._beta * x, name="fwd")
