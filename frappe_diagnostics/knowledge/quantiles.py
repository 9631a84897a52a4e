"""Streaming quantiles in bounded memory: counts in logarithmic buckets, each 5 % wide.

The same idea as pt-query-digest's 1.05-based buckets: a reported percentile is within 5 % of the true
value, whatever the number of samples, and memory is at most one counter per bucket actually used.
The first EXACT values are also kept as they are, so small groups get exact percentiles.
"""

from __future__ import annotations

import math

_BASE = 1.05
_LOG_BASE = math.log(_BASE)
_ZERO = -(10**6)  # bucket of zero and negative values
EXACT = 64


class LogHistogram:
	__slots__ = ("buckets", "count", "exact", "max", "min", "total")

	def __init__(self) -> None:
		self.buckets: dict[int, int] = {}
		self.exact: list[float] | None = []
		self.count = 0
		self.total = 0.0
		self.min = math.inf
		self.max = -math.inf

	def add(self, value: float) -> None:
		index = math.floor(math.log(value) / _LOG_BASE) if value > 0 else _ZERO
		buckets = self.buckets
		buckets[index] = buckets.get(index, 0) + 1
		self.count += 1
		self.total += value
		if value < self.min:
			self.min = value
		if value > self.max:
			self.max = value
		exact = self.exact
		if exact is not None:
			if len(exact) < EXACT:
				exact.append(value)
			else:
				self.exact = None

	def merge(self, other: LogHistogram) -> None:
		for index, n in other.buckets.items():
			self.buckets[index] = self.buckets.get(index, 0) + n
		self.count += other.count
		self.total += other.total
		self.min = min(self.min, other.min)
		self.max = max(self.max, other.max)
		if self.exact is not None and other.exact is not None and len(self.exact) + len(other.exact) <= EXACT:
			self.exact.extend(other.exact)
		else:
			self.exact = None

	@property
	def mean(self) -> float:
		return self.total / self.count if self.count else 0.0

	def quantile(self, q: float) -> float:
		"""Nearest-rank quantile (q in 0..1), from the bucket's geometric middle, clamped to min..max."""
		if not self.count:
			return 0.0
		if self.exact is not None:
			return nearest_rank(self.exact, q)
		rank = max(1, math.ceil(q * self.count))
		seen = 0
		for index in sorted(self.buckets):
			seen += self.buckets[index]
			if seen >= rank:
				value = 0.0 if index == _ZERO else _BASE ** (index + 0.5)
				return min(max(value, self.min), self.max)
		return self.max


def nearest_rank(values: list[float], q: float) -> float:
	"""Exact nearest-rank quantile of a list (for small lists and for tests)."""
	if not values:
		return 0.0
	ordered = sorted(values)
	return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
