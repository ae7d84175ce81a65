"""Finite fields GF(p**k) as addition and multiplication tables, for the designs."""

from __future__ import annotations

Tables = tuple[list[list[int]], list[list[int]]]


def galois_field(order: int) -> Tables | None:
    """Addition and multiplication tables of GF(order), or None unless order = p**k."""
    prime = next((p for p in range(2, order + 1) if order % p == 0), None)
    if prime is None:
        return None
    degree, rest = 0, order
    while rest % prime == 0:
        rest //= prime
        degree += 1
    if rest != 1:
        return None

    def digits(number: int) -> list[int]:
        return [(number // prime**i) % prime for i in range(degree)]

    def number_of(coefficients: list[int]) -> int:
        return sum(c * prime**i for i, c in enumerate(coefficients))

    add = [
        [number_of([(x + y) % prime for x, y in zip(digits(a), digits(b), strict=True)])
         for b in range(order)]
        for a in range(order)
    ]

    def product(a: int, b: int, low: list[int]) -> int:
        """a * b modulo the monic polynomial x**degree + low[k-1] x**(k-1) + ... + low[0]."""
        result = [0] * (2 * degree - 1)
        for i, x in enumerate(digits(a)):
            for j, y in enumerate(digits(b)):
                result[i + j] += x * y
        for top in range(2 * degree - 2, degree - 1, -1):
            carry = result[top] % prime
            result[top] = 0
            for j, c in enumerate(low):
                result[top - degree + j] -= carry * c
        return number_of([c % prime for c in result[:degree]])

    for modulus in range(order):
        low = digits(modulus)
        multiply = [[product(a, b, low) for b in range(order)] for a in range(order)]
        if all(1 in multiply[a] for a in range(1, order)):
            return add, multiply
    return None
