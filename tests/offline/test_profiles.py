"""Reading a resume and a job description: the specifics the offline coach names."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.offline.profiles import (
    Seniority,
    find_skills,
    find_tools,
    profile_job,
    profile_resume,
    tool_category,
)
from tests.fixtures import read_real_document

RESUME = """\
Jordan Rivera
jordan@example.com | (555) 010-2030 | HOUSE-CHIMNEY jordan.dev | GITHUB-SQUARE jrivera

Summary
Data engineer with 7 years of experience building pipelines and the teams that run them.

Experience
Acme Analytics, Boston, MA
Senior Data Engineer    Jan 2020 - Present
• Cut ETL runtime by 40% by rewriting the nightly Spark jobs as incremental loads.
• Led a team of 4 engineers through the migration from cron to Airflow, with zero downtime.
• Reduced report generation from 6 hours to 20 minutes for the finance team.
• Mentored two junior analysts who were promoted within a year.

Data Analyst | Globex Corporation | Jun 2017 – Dec 2019
▪ Grew the self-serve dashboard programme to 10,000 weekly users in Tableau.
▪ Saved $2M a year by finding duplicate vendor payments with SQL.
* Built the company's first churn model in Python and presented it to the executive team.

Projects
- Churn Radar: an open-source churn prediction toolkit for subscription businesses.
- Bus Buddy: a transit delay notifier used by 3,000 riders.

Education
State University, Columbus, OH
B.S. Statistics    2013 - 2017
GPA: 3.8

Skills
Python, SQL, Airflow, Spark, Tableau, dbt, Git
"""

SOFTWARE_JD = """\
Title: Senior Platform Engineer
Company: Initech
Location: Remote

About us
Initech builds payroll software for 20,000 small businesses.

Responsibilities:
- Own the Kubernetes platform that runs every Initech service
- Build and maintain Terraform modules for our AWS accounts
- Mentor engineers on reliability practices and on-call
- Work with product teams to ship features safely

Requirements
- 5+ years of experience running production systems
- Strong Go or Python; some C++, C#, .NET or Node.js is a plus
- Excellent communication and stakeholder management

Benefits
- Health insurance and a 401(k) match
"""

NURSE_JD = """\
Registered Nurse - ICU
St. Mary's Hospital

We are looking for a compassionate ICU nurse to join our critical care unit.

What you'll do
1. Assess, plan and deliver patient care for critically ill adults
2. Administer medications and monitor patients on ventilators
3. Educate patients and families before discharge
4. Document care accurately in Epic

Qualifications
* Current RN license and BLS and ACLS certification
* 2+ years of acute care experience
"""

TEACHER_JD = """\
# 5th Grade Teacher
## About the school
Maple Elementary is a public school serving 400 students.
## What you'll do
- Plan and deliver engaging lessons in math, reading and science
- Use formative assessment to differentiate instruction for every learner
- Build strong relationships with families
- Use Google Classroom to share assignments and feedback
## What you bring
- A state teaching license
- Experience with classroom management in an elementary setting
"""


def test_resume_name_is_the_first_short_line_that_looks_like_a_name() -> None:
    assert profile_resume(RESUME).name == "Jordan Rivera"


def test_resume_employers_come_from_lines_near_dates() -> None:
    profile = profile_resume(RESUME)

    assert profile.employers[:2] == ["Acme Analytics", "Globex Corporation"]
    assert "State University" not in profile.employers
    assert "Senior Data Engineer" in profile.titles
    assert "Data Analyst" in profile.titles


def test_resume_roles_pair_each_employer_with_its_title_and_dates() -> None:
    roles = profile_resume(RESUME).roles

    assert (roles[0].employer, roles[0].title) == ("Acme Analytics", "Senior Data Engineer")
    assert roles[0].period == "Jan 2020 - Present"
    assert (roles[1].employer, roles[1].title) == ("Globex Corporation", "Data Analyst")


def test_resume_claims_are_bullets_with_figures_tied_to_their_employer() -> None:
    claims = {claim.metric: claim for claim in profile_resume(RESUME).claims}

    assert claims["40%"].employer == "Acme Analytics"
    assert claims["40%"].action == "cut"
    assert claims["40%"].text.startswith("Cut ETL runtime by 40%")
    assert claims["from 6 hours to 20 minutes"].employer == "Acme Analytics"
    assert claims["10,000"].employer == "Globex Corporation"
    assert claims["$2M"].action == "saved"


def test_resume_bullets_without_figures_become_highlights_not_claims() -> None:
    profile = profile_resume(RESUME)

    assert not any("churn model" in claim.text for claim in profile.claims)
    assert any(
        "churn model" in h.text and h.employer == "Globex Corporation" for h in profile.highlights
    )


def test_resume_gpa_and_years_of_experience_are_not_claims() -> None:
    texts = " ".join(claim.text for claim in profile_resume(RESUME).claims)

    assert "GPA" not in texts
    assert "7 years" not in texts


def test_resume_projects_come_from_the_projects_section() -> None:
    assert profile_resume(RESUME).projects[:2] == ["Churn Radar", "Bus Buddy"]


def test_resume_skills_combine_the_skills_section_and_known_tools() -> None:
    skills = profile_resume(RESUME).skills

    for tool in ("Python", "SQL", "Airflow", "Tableau", "dbt", "Apache Spark"):
        assert tool in skills


def test_resume_icon_font_words_are_ignored() -> None:
    profile = profile_resume(RESUME)

    assert "HOUSE-CHIMNEY" not in repr(profile)
    assert "GITHUB-SQUARE" not in repr(profile)


def test_resume_years_of_experience_comes_from_the_summary() -> None:
    assert profile_resume(RESUME).years_experience == 7


def test_two_column_resume_with_company_pipe_title_headings() -> None:
    text = """\
Sam Lee
EDUCATION
STATE TECH
BS IN COMPUTER SCIENCE
May 2014 | Ithaca, NY
SKILLS
Java • Python • C++
EXPERIENCE
INITECH | SOFTWARE ENGINEER
Jan 2015 - Present | New York, NY
• Shipped the billing service used by 2,500 customers.
HOOLI | SOFTWARE ENGINEERING INTERN
May 2013 – Aug 2013 | Mountain View, CA
• Led and shipped the admin console for the search team.
"""
    profile = profile_resume(text)

    assert profile.employers == ["Initech", "Hooli"]
    assert profile.titles == ["Software Engineer", "Software Engineering Intern"]
    assert profile.claims[0].employer == "Initech"
    assert {"Java", "Python", "C++"} <= set(profile.skills)


def test_wrapped_bullets_are_joined_before_claims_are_read() -> None:
    text = """\
Experience
Globex, Springfield, IL
Operations Manager Mar 2018 – Current
◦ Redesigned the returns process across all twelve warehouses in the region, which cut the
average refund time by 35% and halved customer complaints.
"""
    claims = profile_resume(text).claims

    assert len(claims) == 1
    assert claims[0].metric == "35%"
    assert claims[0].employer == "Globex"
    assert claims[0].text.endswith("halved customer complaints")


def test_job_title_company_and_seniority_from_labels() -> None:
    job = profile_job(SOFTWARE_JD)

    assert job.title == "Senior Platform Engineer"
    assert job.company == "Initech"
    assert job.seniority is Seniority.SENIOR
    assert job.years_required == 5


def test_job_field_comes_from_title_and_keywords() -> None:
    assert profile_job(SOFTWARE_JD).field == "devops"
    assert profile_job(NURSE_JD).field == "nursing"
    assert profile_job(TEACHER_JD).field == "teaching"


def test_job_tools_handle_symbols_and_dotted_names() -> None:
    tools = profile_job(SOFTWARE_JD).tools

    for tool in ("Kubernetes", "Terraform", "AWS", "Go", "Python", "C++", "C#", ".NET", "Node.js"):
        assert tool in tools
    assert tools.index("Kubernetes") < tools.index("C#")


def test_job_responsibilities_come_from_their_section_only() -> None:
    job = profile_job(SOFTWARE_JD)

    assert job.responsibilities[0] == "Own the Kubernetes platform that runs every Initech service"
    assert len(job.responsibilities) == 4
    assert not any("401(k)" in duty for duty in job.responsibilities)
    assert any("5+ years" in requirement for requirement in job.requirements)


def test_job_numbered_duties_and_markdown_headings() -> None:
    nurse = profile_job(NURSE_JD)
    teacher = profile_job(TEACHER_JD)

    assert nurse.title == "Registered Nurse - ICU"
    assert nurse.responsibilities[0].startswith("Assess, plan and deliver patient care")
    assert {"Epic", "BLS", "ACLS"} <= set(nurse.tools)
    assert teacher.title == "5th Grade Teacher"
    assert teacher.company == "Maple Elementary"
    assert teacher.responsibilities[0].startswith("Plan and deliver engaging lessons")
    assert "Google Classroom" in teacher.tools
    assert "classroom management" in teacher.skills


def test_job_imperative_bullets_are_duties_when_there_is_no_section() -> None:
    text = """\
Warehouse Supervisor at Northwind
• Lead a shift of 20 pickers and packers
• Own daily safety briefings
• We offer a great team
"""
    job = profile_job(text)

    assert job.title == "Warehouse Supervisor"
    assert job.company == "Northwind"
    assert job.responsibilities == [
        "Lead a shift of 20 pickers and packers",
        "Own daily safety briefings",
    ]
    assert job.field == "operations"


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Software Engineering Intern", "", Seniority.INTERN),
        ("Junior Analyst", "", Seniority.JUNIOR),
        ("Staff Engineer", "", Seniority.LEAD),
        ("Principal Data Scientist", "", Seniority.LEAD),
        ("Engineering Manager", "", Seniority.LEAD),
        ("Director of Nursing", "", Seniority.EXECUTIVE),
        ("Senior Accountant", "", Seniority.SENIOR),
        ("Product Manager", "You have 3 years of experience in product.", Seniority.MID),
        ("IT Specialist", "This is a GS-15 position.", Seniority.LEAD),
        ("IT Specialist", "Grade: GS-9", Seniority.JUNIOR),
        ("Backend Developer", "7+ years of experience with Java.", Seniority.SENIOR),
        ("Backend Developer", "Come build with us.", Seniority.UNKNOWN),
    ],
)
def test_job_seniority(title: str, body: str, expected: Seniority) -> None:
    assert profile_job(f"Title: {title}\n\n{body}\n").seniority is expected


def test_tools_are_matched_on_word_boundaries_with_ambiguous_words_handled() -> None:
    text = "I excel at teamwork. Go to our careers page. We use Excel, Go, and R. See R&D."

    tools = find_tools(text)

    assert tools.count("Excel") == 1
    assert "Go" in tools
    assert "R" in tools
    assert find_tools("Go to the careers page and excel at it, or access the portal.") == []
    assert find_tools("Rust, Ruby and Swift") == ["Rust", "Ruby", "Swift"]
    assert find_tools("ruby red and swift deer") == []


def test_tool_vocabulary_spans_fields() -> None:
    text = "Epic EHR, Salesforce, Figma, QuickBooks, Google Classroom, Jira, Power BI, Snowflake"

    tools = find_tools(text)

    assert len(tools) == 8
    assert tool_category("Epic") == "clinical"
    assert tool_category("Google Classroom") == "teaching"
    assert tool_category("Nothing Like This") == "general"


def test_skills_vocabulary_finds_soft_and_domain_skills() -> None:
    skills = find_skills("Strong stakeholder management, patient safety and lesson planning.")

    assert skills == ["stakeholder management", "patient safety", "lesson planning"]


def test_empty_documents_give_empty_profiles() -> None:
    resume = profile_resume("")
    job = profile_job("   \n\n")

    assert resume.name is None and resume.claims == [] and resume.employers == []
    assert job.title is None and job.field == "general" and job.tools == []


# --- real documents -------------------------------------------------------------------


@pytest.mark.realdata
def test_real_sb2nov_resume_yields_employers_claims_and_projects(realdata: Path) -> None:
    profile = profile_resume(
        read_real_document(realdata / "resumes" / "sb2nov_sourabh_bajaj_resume.pdf")
    )

    assert profile.name == "Sourabh Bajaj"
    assert profile.employers[:3] == ["Google", "Coursera", "Lucena Research"]
    assert "Senior Software Engineer" in profile.titles
    assert any(claim.metric == "100,000" for claim in profile.claims)
    assert "QuantSoftware Toolkit" in profile.projects
    assert any(h.employer == "Coursera" for h in profile.highlights)


@pytest.mark.realdata
def test_real_two_column_deedy_resume_yields_employers(realdata: Path) -> None:
    profile = profile_resume(read_real_document(realdata / "resumes" / "deedy_resume-openfont.pdf"))

    assert profile.name == "Debarghya Das"
    assert {"Facebook", "Coursera", "Google"} <= set(profile.employers)
    assert "Cornell University" not in profile.employers


@pytest.mark.realdata
def test_real_awesome_cv_survives_icon_words_and_squashedread_real_document(realdata: Path) -> None:
    profile = profile_resume(read_real_document(realdata / "resumes" / "awesome-cv_resume.pdf"))

    assert profile.name == "Byungjin Park"
    assert "HOUSE-CHIMNEY" not in repr(profile)
    assert "Kasa" in profile.employers
    assert "Danggeun Pay Inc." in profile.employers
    assert any(claim.metric == "30%" for claim in profile.claims)
    assert "Kubernetes" in profile.skills


@pytest.mark.realdata
def test_real_devops_resume_ties_many_claims_to_employers(realdata: Path) -> None:
    profile = profile_resume(
        read_real_document(realdata / "resumes" / "soupboss_DevOps-Sample2.pdf")
    )

    assert profile.employers == ["Red Hat", "New Relic", "IBM", "Oracle"]
    assert len(profile.claims) >= 10
    red_hat = [claim for claim in profile.claims if claim.employer == "Red Hat"]
    assert any(claim.metric == "40%" and claim.action == "developed" for claim in red_hat)


@pytest.mark.realdata
def test_real_accountant_pdf_and_docx_agree(realdata: Path) -> None:
    from_pdf = profile_resume(
        read_real_document(realdata / "resumes" / "soupboss_01-Accountant.pdf")
    )
    from_docx = profile_resume(
        read_real_document(realdata / "resumes" / "soupboss_01-Accountant.docx")
    )

    assert from_docx.employers == ["Gilmore Financial", "Harrison Money Management"]
    assert from_pdf.employers == from_docx.employers
    assert from_pdf.name == from_docx.name == "Ebony Moore"


@pytest.mark.realdata
def test_real_long_docx_resume_with_square_bullets(realdata: Path) -> None:
    profile = profile_resume(read_real_document(realdata / "resumes" / "soupboss_Mickey01.docx"))

    assert profile.employers[:2] == ["The Walt Disney Company", "Fox Entertainment Group"]
    assert any(claim.metric == "from weeks to minutes" for claim in profile.claims)
    assert profile.roles[0].title == "Staff Infrastructure Engineer"


@pytest.mark.realdata
def test_real_software_engineer_posting_yields_tools_and_duties(realdata: Path) -> None:
    job = profile_job(
        read_real_document(
            realdata / "job_descriptions" / "software_engineer_18f_consulting_software_engineer.txt"
        )
    )

    assert {"Ruby", "Python", "JavaScript", "Go"} <= set(job.tools)
    assert job.field == "software"
    assert job.company == "18F"
    assert job.seniority is Seniority.LEAD
    assert any(duty.startswith("Participate in code review") for duty in job.responsibilities)
    assert not any("Selective Service" in duty for duty in job.responsibilities)


@pytest.mark.realdata
def test_real_nurse_posting_maps_to_nursing(realdata: Path) -> None:
    job = profile_job(
        read_real_document(
            realdata / "job_descriptions" / "nurse_educator_linkedin_hca_healthcare.txt"
        )
    )

    assert job.field == "nursing"
    assert job.title == "Specialty Nurse Educator - Acute Care"
    assert job.company == "HCA Healthcare"
    assert "BLS" in job.tools
    assert "Assesses practice gaps" in job.responsibilities
    assert job.years_required == 3


@pytest.mark.realdata
def test_real_teacher_posting_maps_to_teaching(realdata: Path) -> None:
    job = profile_job(
        read_real_document(realdata / "job_descriptions" / "teacher_linkedin_spanish_teacher.txt")
    )

    assert job.field == "teaching"
    assert job.company == "LearningMate"
    assert job.responsibilities[0].startswith("Perform edits course/lessons")
    assert job.responsibilities[0].endswith("as specified by the client")


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "field", "tool"),
    [
        ("data_scientist_glassdoor_knowbe4.txt", "data", "SQL"),
        ("data_analytics_specialist_tts_coe.txt", "data", "Tableau"),
        ("product_manager_18f_product_manager.txt", "product", None),
    ],
)
def test_real_postings_map_to_their_field(
    realdata: Path, name: str, field: str, tool: str | None
) -> None:
    job = profile_job(read_real_document(realdata / "job_descriptions" / name))

    assert job.field == field
    assert len(job.responsibilities) >= 5
    if tool:
        assert tool in job.tools
