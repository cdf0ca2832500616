from omnisparse.metrics import ErrorCounter, edit_distance, wer


def test_edit_distance_counts_sub_del_ins():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a"]) == 1
    assert edit_distance(["a", "b"], []) == 2


def test_corpus_wer_and_cer():
    c = ErrorCounter()
    c.add("the cat sat", "the cat sat")
    c.add("hello world", "hello word")
    assert c.wer == 1 / 5
    assert abs(c.cer - 1 / (11 + 11)) < 1e-12
    assert wer(["a b"], [""]) == 1.0
