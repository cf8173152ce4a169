"""PyTorch templates for the corpus: networks, datasets, training loops and inference helpers."""

from __future__ import annotations

from corpus_base import NOUNS, VERBS, FileContext, fill, pascal, snake
from corpus_py_common import _util_block, grow_py, render_imports

TORCH_BLOCKS = {
    "net": """class «Name»(nn.Module):
    def __init__(self, in_features: int = «inp», hidden: int = «hidden», out_features: int = «out», dropout: float = «drop») -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.«act»(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden // 2),
            nn.LayerNorm(hidden // 2),
        )
        self.head = nn.Linear(hidden // 2, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.encoder(x)
        return self.head(features)
""",
    "dataset": """class «Name»(Dataset):
    def __init__(self, rows: list[list[float]], labels: list[int]) -> None:
        self.rows = rows
        self.labels = labels

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        row = torch.tensor(self.rows[index], dtype=torch.float32)
        return row, torch.tensor(self.labels[index])
""",
    "train": """def «name»(model: nn.Module, loader: DataLoader, epochs: int = «epochs», lr: float = «lr») -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    model.train()
    for _ in range(epochs):
        running = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            running += loss.item()
        history.append(running / max(1, len(loader)))
    return history
""",
    "predict": """def «name»(features: list[list[float]], checkpoint: str = "«ckpt»") -> list[float]:
    model = torch.load(checkpoint, map_location="cpu")
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(features, dtype=torch.float32))
        return torch.softmax(logits, dim=-1)[:, -1].tolist()
""",
    "similar": """def «name»(query: torch.Tensor, corpus: torch.Tensor, k: int = «k») -> list[int]:
    query = nn.functional.normalize(query, dim=-1)
    corpus = nn.functional.normalize(corpus, dim=-1)
    scores = corpus @ query
    return scores.topk(min(k, corpus.shape[0])).indices.tolist()
""",
    "features": """def «name»(records: list[dict], keys: tuple[str, ...] = («keys»,)) -> torch.Tensor:
    rows = []
    for record in records:
        rows.append([float(record.get(key) or 0.0) for key in keys])
    tensor = torch.tensor(rows, dtype=torch.float32)
    return (tensor - tensor.mean(dim=0)) / (tensor.std(dim=0) + 1e-6)
""",
}


def _torch_block(ctx: FileContext, kind: str | None = None, name: str | None = None) -> str:
    kind = kind or ctx.rng.choice(list(TORCH_BLOCKS))
    if name is None:
        if kind in ("net", "dataset"):
            name = ctx.fresh(lambda: pascal(ctx.rng.choice(NOUNS), ctx.rng.choice(("Net", "Encoder", "Classifier", "Dataset"))))
        else:
            name = ctx.fresh(lambda: snake(ctx.rng.choice(VERBS), ctx.rng.choice(NOUNS), ctx.rng.choice(("batch", "features", "scores"))))
    keys = ", ".join(f'"{snake(f.name)}"' for f in ctx.entity.of("int", "float"))
    return fill(TORCH_BLOCKS[kind], Name=name, name=name, inp=ctx.rng.choice((16, 32, 64, 128)),
                hidden=ctx.rng.choice((64, 128, 256)), out=ctx.rng.choice((2, 3, 10)), drop=ctx.rng.choice((0.1, 0.2, 0.3)),
                act=ctx.rng.choice(("ReLU", "GELU", "SiLU")), epochs=ctx.rng.choice((3, 5, 10)), lr=ctx.rng.choice(("1e-3", "3e-4")),
                ckpt=f"models/{ctx.entity.snake}.pt", k=ctx.rng.choice((5, 10, 20)), keys=keys)


def torch_module(ctx: FileContext) -> str:
    ctx.need("import", "torch")
    ctx.need("torch", "nn")
    ctx.need("torch.utils.data", "DataLoader", "Dataset")
    net, predict = ctx.module.exports
    parts = [_torch_block(ctx, "net", net), _torch_block(ctx, "predict", predict)]
    body = grow_py(ctx, parts, [_torch_block, _torch_block, _util_block])
    return render_imports(ctx, body)
