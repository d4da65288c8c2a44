"""rnncourse.torch.attention: dot-product attention, checked against its definition."""
import pytest
import torch

import rnncourse.torch as rt


def test_dot_attention_matches_the_equations():
    g = torch.Generator().manual_seed(0)
    T, S, B, H = 3, 5, 2, 4
    d, e = torch.randn(T, B, H, generator=g, dtype=torch.float64), torch.randn(S, B, H, generator=g, dtype=torch.float64)
    lengths = [5, 3]
    mask = torch.arange(S)[:, None] < torch.tensor(lengths)[None, :]
    c, alpha = rt.dot_attention(d, e, mask)
    assert c.shape == (T, B, H) and alpha.shape == (B, T, S)
    for b, L in enumerate(lengths):
        for t in range(T):
            s = torch.stack([d[t, b] @ e[j, b] for j in range(L)])        # s_tj = d_t . e_j
            a = torch.exp(s) / torch.exp(s).sum()
            assert torch.allclose(alpha[b, t, :L], a) and (alpha[b, t, L:] == 0).all()
            assert torch.allclose(c[t, b], (a[:, None] * e[:L, b]).sum(0))


def test_module_combines_and_backpropagates():
    torch.manual_seed(0)
    att = rt.DotAttention(4)
    d, e = torch.randn(3, 2, 4, requires_grad=True), torch.randn(5, 2, 4, requires_grad=True)
    out, alpha = att(d, e)
    c, _ = rt.dot_attention(d, e)
    assert torch.allclose(out, torch.tanh(att.combine(torch.cat([d, c], -1))))
    assert torch.allclose(alpha.sum(-1), torch.ones(2, 3))
    out.sum().backward()
    assert d.grad.abs().sum() > 0 and e.grad.abs().sum() > 0 and att.combine.weight.grad is not None


def test_clear_errors():
    d, e = torch.randn(3, 2, 4), torch.randn(5, 2, 4)
    with pytest.raises(ValueError, match=r"e must have shape \(S, B=2, H=4\)"):
        rt.dot_attention(d, torch.randn(5, 3, 4))
    with pytest.raises(TypeError, match="floating"):
        rt.dot_attention(d.long(), e)
    with pytest.raises(TypeError, match="bool"):
        rt.dot_attention(d, e, torch.ones(5, 2))
    with pytest.raises(ValueError, match="empty column at \\[1\\]"):
        rt.dot_attention(d, e, torch.tensor([[True, False]] * 5))
    with pytest.raises(ValueError, match="mask must have shape"):
        rt.dot_attention(d, e, torch.ones(4, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"d must have shape \(T, B, H=8\)"):
        rt.DotAttention(8)(d, e)
