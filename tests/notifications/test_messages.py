"""What a notification says: rendered per kind from its parameters."""

from onewindow.notifications.messages import render


def test_a_meeting_shows_its_local_time_and_a_warning_its_project():
    assert (
        render("meeting_scheduled", "要素保障联席会议", {"held_at": "2026-11-26T07:00:00+00:00"})
        == "Coordination meeting 要素保障联席会议 is scheduled for 2026-11-26 15:00."
    )
    assert (
        render("task_red", "FGW-BA 企业投资项目备案", {"due_on": "2026-11-20", "project": "江苏玉龙钢管项目"})
        == "Approval task FGW-BA 企业投资项目备案 (江苏玉龙钢管项目) is overdue: it was due on 2026-11-20."
    )


def test_the_project_is_not_repeated_when_the_subject_names_it():
    text = render(
        "urge", "江苏玉龙钢管项目 · 企业投资项目备案", {"project": "江苏玉龙钢管项目", "by": "张三"}
    )
    assert text.count("江苏玉龙钢管项目") == 1


def test_a_missing_parameter_shows_a_dash_and_a_note_follows_the_text():
    assert render("problem_escalated", "拆迁滞后", {"reason": "逾期未解决"}) == (
        "Problem 拆迁滞后 was escalated to level —. Note: 逾期未解决"
    )
