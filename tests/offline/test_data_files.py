"""The offline coach's data files: every file passes its schema, so a product team can
add questions and tool names in YAML and a mistake fails here, not in an interview."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from pydantic import ValidationError

from coach.domain import QuestionType
from coach.offline.datafiles import data_file, data_files, read_yaml
from coach.offline.profiles import FIELDS, Vocabulary, find_skills, find_tools, load_vocabulary
from coach.offline.question_bank import BANK, BankQuestion, load_bank


def test_every_question_file_passes_the_schema_and_ids_are_unique_across_files() -> None:
    files = data_files("questions")
    ids: Counter[str] = Counter()

    assert len(files) >= 4
    for file in files:
        for raw in read_yaml(file):
            question = BankQuestion.model_validate(raw)
            assert set(question.fields) <= set(FIELDS), (file.name, question.id)
            ids[question.id] += 1

    assert ids and max(ids.values()) == 1
    assert load_bank() == BANK


def test_the_bank_is_read_from_data_not_python() -> None:
    first = read_yaml(data_files("questions")[0])[0]

    assert BANK[0].id == first["id"]
    assert BANK[0].text == first["text"]
    assert {q.type for q in BANK} == set(QuestionType)


def test_a_question_with_a_typo_in_its_type_or_an_unknown_key_is_rejected() -> None:
    good = read_yaml(data_files("questions")[0])[0]

    with pytest.raises(ValidationError):
        BankQuestion.model_validate({**good, "type": "behavioral-ish"})
    with pytest.raises(ValidationError):
        BankQuestion.model_validate({**good, "rubric": "misspelt key"})
    with pytest.raises(ValidationError):
        BankQuestion.model_validate({k: v for k, v in good.items() if k != "follow_up"})


def test_the_vocabulary_file_passes_its_schema_and_names_are_unique() -> None:
    raw = read_yaml(data_file("vocabulary.yaml"))
    vocabulary = Vocabulary.model_validate(raw)
    tools = [
        line.split("|")[0].lstrip("=~") for lines in vocabulary.tools.values() for line in lines
    ]
    skills = [
        line.split("|")[0].lstrip("=~") for lines in vocabulary.skills.values() for line in lines
    ]

    assert len(tools) >= 300 and len(skills) >= 100
    assert len(set(tools)) == len(tools)
    assert load_vocabulary() == vocabulary


@pytest.mark.parametrize("line", ["Python||Py", "|Python", "Go|~", " Python"])
def test_a_malformed_vocabulary_line_is_rejected(line: str) -> None:
    with pytest.raises(ValidationError):
        Vocabulary.model_validate({"tools": {"language": [line]}, "skills": {}})


def test_the_vocabulary_from_data_still_finds_tools_and_skills() -> None:
    text = "We use Python, Go and Kubernetes; strong stakeholder management and public speaking."

    assert {"Python", "Go", "Kubernetes"} <= set(find_tools(text))
    assert {"stakeholder management", "presentation skills"} <= set(find_skills(text))


def test_data_files_are_plain_yaml_a_product_team_can_edit() -> None:
    for file in [*data_files("questions"), data_file("vocabulary.yaml")]:
        assert yaml.safe_load(file.read_text(encoding="utf-8"))


def test_the_chat_replies_file_passes_its_schema_and_every_topic_has_texts() -> None:
    from string import Formatter

    from coach.offline import chat

    texts = chat.ChatTexts.model_validate(read_yaml(data_file("chat_replies.yaml")))
    builders = {topic.key for topic in chat._TOPICS} | {"fallback"}

    assert set(texts.topics) == builders
    assert set(texts.type_hints) == set(QuestionType) == set(texts.practice_length)
    for key, topic in texts.topics.items():
        templates = [*topic.fragments.values()]
        for reply in topic.replies.values():
            templates += [reply.title, reply.body, *reply.next_steps]
        for template in templates:
            fields = [name for _, name, _, _ in Formatter().parse(template) if name]
            assert all(name.isidentifier() for name in fields), (key, template)


def test_a_reply_without_next_steps_is_rejected() -> None:
    from coach.offline.chat import ReplyText

    with pytest.raises(ValidationError):
        ReplyText.model_validate({"title": "Hi", "body": "Hello", "next_steps": []})


def test_the_answer_cues_pass_their_schema_and_compile() -> None:
    from coach.offline.answer_cues import AnswerCues, answer_cues

    raw = read_yaml(data_file("answer_cues.yaml"))
    AnswerCues.model_validate(raw)
    assert set(answer_cues()) >= {"self.present", "fit.reasons", "trait.remedy", "assess.stance"}
    with pytest.raises(ValidationError):
        AnswerCues.model_validate({**raw, "fit": {**raw["fit"], "claimz": ["i can"]}})
