"""Several webhook workers split Telegram's per-token limits (design decision 8, issue 11)."""

from __future__ import annotations

import pytest

from bot.limiter import PatientRateLimiter


def test_one_process_keeps_to_telegrams_limits() -> None:
    limiter = PatientRateLimiter()
    assert (limiter.overall_rate, limiter.group_rate) == (30, 20)


def test_two_workers_each_keep_to_half_of_them() -> None:
    limiter = PatientRateLimiter(share=2)
    assert (limiter.overall_rate, limiter.group_rate) == (15, 10)


def test_a_benchmark_can_lift_them_and_a_share_below_one_is_refused() -> None:
    assert PatientRateLimiter(unlimited=True).overall_rate >= 1_000_000
    with pytest.raises(ValueError, match="share"):
        PatientRateLimiter(share=0)
