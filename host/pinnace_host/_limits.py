"""``Limits``: the resources one module may use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits, each optional.

    - ``fuel``: wasm instructions (roughly) that each call may execute; a fresh budget per call.
      Exceeding it raises ``OutOfFuel``.
    - ``timeout``: seconds of wall time each call may take. Exceeding it raises ``Timeout``.
    - ``memory``: bytes the module's linear memory may grow to. Exceeding it raises
      ``MemoryLimitExceeded``.
    """

    fuel: int | None = None
    timeout: float | None = None
    memory: int | None = None

    def __post_init__(self) -> None:
        if self.fuel is not None and (isinstance(self.fuel, bool) or self.fuel <= 0):
            raise ValueError(f"Limits.fuel must be a positive int, not {self.fuel!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"Limits.timeout must be positive seconds, not {self.timeout!r}")
        if self.memory is not None and (isinstance(self.memory, bool) or self.memory <= 0):
            raise ValueError(
                f"Limits.memory must be a positive number of bytes, not {self.memory!r}"
            )
