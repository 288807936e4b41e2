"""Is a rise beyond chance? The exact conditional test of two Poisson counts, with its confidence interval.

Two counts of appeals, `current` in a period of length `exposure` (in units of the
earlier period) and `before` in the earlier one, are Poisson. Given their sum n,
`current` is binomial(n, p0) with p0 = exposure / (1 + exposure) when the rates are
equal. The rate ratio RR = (current / exposure) / before; its exact interval comes
from the Clopper–Pearson interval of the binomial proportion π = current / n
(RR = π / (1 − π) / exposure; above a few thousand appeals, the log-normal
Wald interval, which agrees to the digits shown), and the one-sided p-value of a rise is
P(X ≥ current). A rise is flagged only when the whole 95 % interval lies above 1,
which is the same as a one-sided p below 2.5 %: the flag and the interval shown
never disagree.

Pure Python (the regularised incomplete beta function by Lentz's continued
fraction): no numerical library is installed.
"""

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

LEVEL = 0.95  # the confidence level of the interval shown
EXACT_UP_TO = 2_000  # above this many appeals in both periods together, the interval is the log-normal one
ALPHA = 1 - LEVEL
_EPS = 1e-14
_TINY = 1e-300


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def binomial_at_least(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return betainc(k, n - k + 1, p)


def _solve(f, target: float) -> float:
    """The x in (0, 1) where the increasing function f reaches target (bisection)."""
    low, high = 0.0, 1.0
    for _step in range(80):
        middle = (low + high) / 2
        if f(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clopper_pearson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The exact interval of a binomial proportion k / n."""
    tail = (1 - level) / 2
    low = 0.0 if k == 0 else _solve(lambda x: betainc(k, n - k + 1, x), tail)
    high = 1.0 if k == n else _solve(lambda x: betainc(k + 1, n - k, x), 1 - tail)
    return low, high


@dataclass(frozen=True)
class RateRatio:
    """`current` against `before`: the ratio of the rates, its 95 % interval, the p-value of a rise.

    The interval is computed when first read (a district tests thousands of cells and
    shows a few); the flags come from the p-values, which is the same test.
    """

    current: int
    before: int
    exposure: float = 1.0
    level: float = LEVEL

    @functools.cached_property
    def ratio(self) -> float | None:
        """None when both are 0; math.inf when only `before` is 0."""
        if not self.current + self.before:
            return None
        return math.inf if self.before == 0 else (self.current / self.exposure) / self.before

    @functools.cached_property
    def p_rise(self) -> float:
        """One-sided: the chance of so many (or more) if the rate had not changed."""
        n = self.current + self.before
        return binomial_at_least(self.current, n, self.exposure / (1 + self.exposure)) if n else 1.0

    @functools.cached_property
    def p_fall(self) -> float:
        """One-sided: the chance of so few (or fewer)."""
        n = self.current + self.before
        return 1.0 - binomial_at_least(self.current + 1, n, self.exposure / (1 + self.exposure)) if n else 1.0

    @functools.cached_property
    def interval(self) -> tuple[float, float] | tuple[None, None]:
        current, before, exposure, level = self.current, self.before, self.exposure, self.level
        n = current + before
        if not n:
            return None, None
        if n > EXACT_UP_TO and current and before:
            # Large counts: the log rate ratio is normal to far better than the figures are rounded.
            z = NormalDist().inv_cdf(1 - (1 - level) / 2)
            spread = z * math.sqrt(1 / current + 1 / before)
            ratio = self.ratio
            assert ratio is not None  # n > 0
            return ratio * math.exp(-spread), ratio * math.exp(spread)

        def to_ratio(pi: float) -> float:
            return math.inf if pi >= 1.0 else pi / (1.0 - pi) / exposure

        low, high = clopper_pearson(current, n, level)
        return to_ratio(low), to_ratio(high)

    @property
    def low(self) -> float | None:
        return self.interval[0]

    @property
    def high(self) -> float | None:
        return self.interval[1]

    @property
    def rise(self) -> bool:
        """A rise beyond chance: one-sided p below 2.5 %, i.e. the whole exact interval above 1."""
        return self.current > self.before * self.exposure and self.p_rise < (1 - self.level) / 2

    @property
    def fall(self) -> bool:
        """A fall beyond chance: the whole exact interval below 1."""
        return self.current < self.before * self.exposure and self.p_fall < (1 - self.level) / 2


@functools.lru_cache(maxsize=65_536)
def rate_ratio(current: int, before: int, exposure: float = 1.0, level: float = LEVEL) -> RateRatio:
    """Compare two Poisson counts exactly (conditional on their sum); the same pair is made once."""
    return RateRatio(current, before, exposure, level)


def false_discoveries(p_values: list[float], q: float = 0.05) -> list[bool]:
    """Benjamini–Hochberg: which of many tests to call significant so that, on average, at most
    a share `q` of those called are chance. A district tests thousands of (school, problem) cells."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    m, cut = len(p_values), -1
    for rank, index in enumerate(order, start=1):
        if p_values[index] <= q * rank / m:
            cut = rank
    flags = [False] * m
    for index in order[:cut] if cut > 0 else ():
        flags[index] = True
    return flags
