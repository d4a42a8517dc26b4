"""`wijksignaal themes`: train the theme model from the corpus and see how well it does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from regels.themacorpus import CORPUS_DIR, CorpusError, read_corpus, train
from regels.themamodel import MODEL_FILE

themes_app = typer.Typer(help="The theme model behind the theme suggestion.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)
THEMES = ("afval", "openbare_ruimte", "veiligheid", "wonen", "zorg", "bewonersinitiatief")


@themes_app.command("train")
def train_command(
    corpus: Annotated[Path, typer.Option(help="Directory of theme<TAB>text .tsv files.")] = (
        CORPUS_DIR
    ),
    out: Annotated[Path, typer.Option(help="Where to write the model.")] = MODEL_FILE,
) -> None:
    """Learn the theme model from the corpus (the held-out fifth is never used) and write it."""
    try:
        examples = read_corpus(corpus, THEMES)
    except CorpusError as exc:
        errors.print(f"[red]{corpus}/{exc}[/red]")
        raise typer.Exit(1) from None
    held = sum(e.held_out for e in examples)
    started = time.perf_counter()
    model = train(examples)
    size = model.save(out)
    console.print(
        f"Trained on {len(examples) - held} texts ({held} held out) in "
        f"{time.perf_counter() - started:.1f} s: {len(model.weights)} features, "
        f"{len(model.lexicon.words)} lexicon words; {out} ({size / 1024:.0f} KB). "
        "Measure it with `python bench/themes.py`."
    )
