"""final_eval --table: the model card's streaming table is built from the report and the manifest, not typed."""
import json

from omnisparse.final_eval import main, stream_table


def _level(lid: str, sparsity: float, params: int, gzip: int, penalty: float) -> dict:
    return {"id": lid, "sparsity": sparsity, "nonzeroParams": params, "bytes": {"gzip": gzip}, "heads": [6, 5],
            "ffn": [1536, 1408], "blankPenalty": penalty}


def _res(wer: float, cer: float) -> dict:
    return {"stream": {"wer": wer, "cer": cer}, "utterances": []}


MANIFEST = {"levels": [_level("s00", 0.0, 8415517, 7780000, 0.5), _level("s90", 0.9012, 2000000, 2100000, 0.0)]}
REPORT = {"levels": {"s00": {"realtest": _res(0.675, 0.309), "fsdd": _res(0.22, 0.15)},
                     "s90": {"realtest": _res(0.99, 0.8)}}}


def test_rows_follow_the_manifest_with_sizes_and_each_sets_numbers() -> None:
    lines = stream_table(MANIFEST, REPORT).splitlines()
    assert lines[0].split(" | ")[-2:] == ["realtest WER / CER", "fsdd WER / CER |"]
    assert lines[2] == ("| s00 | 0.0 % | 8,415,517 | 6 5 | 1536 1408 | 7.78 | 0.5 | 67.5 / 30.9 | 22.0 / 15.0 |")
    # a set the level was not evaluated on is a dash, not a zero
    assert lines[3] == "| s90 | 90.1 % | 2,000,000 | 6 5 | 1536 1408 | 2.10 | 0 | 99.0 / 80.0 | – |"


def test_previous_release_in_brackets_only_where_it_has_the_level_and_set() -> None:
    old = {"levels": {"s00": {"realtest": _res(0.659, 0.319)}}}
    lines = stream_table(MANIFEST, REPORT, old).splitlines()
    assert "| 67.5 / 30.9 (65.9 / 31.9) | 22.0 / 15.0 |" in lines[2]
    assert "(" not in lines[3]


def test_cli_writes_the_table_and_needs_data_without_it(tmp_path, capsys) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "r.json").write_text(json.dumps(REPORT))
    out = tmp_path / "table.md"
    main(["--manifest", str(tmp_path / "manifest.json"), "--table", str(tmp_path / "r.json"), "--out", str(out)])
    assert out.read_text() == stream_table(MANIFEST, REPORT)
    try:
        main(["--manifest", str(tmp_path / "manifest.json"), "--out", str(out)])
    except SystemExit as e:
        assert e.code == 2
    else:
        raise AssertionError("final_eval without --data or --table must fail")
    assert "--data is required" in capsys.readouterr().err
