"""A labelled answer set written for issue 16: one answer of each kind a rubric must
get right, with the score band a fair interviewer would give it at each level.

Bands are (low, high) on the 0-10 overall. They were written from the answers, before
the scorer was tuned, and describe what the issue asks: a stated result is credited,
a rehearsed story told to the wrong question cannot pass, an opinion answered directly
is not marked down for lacking STAR, a paraphrase is on topic, a ramble that admits
it has no answer scores low, and a non-answer stays at 3 or below.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.domain import QuestionType


@dataclass(frozen=True)
class Labelled:
    name: str
    question: str
    qtype: QuestionType
    answer: str
    help_band: tuple[float, float]
    strict_band: tuple[float, float]


DISAGREE = "Tell me about a time you disagreed with your manager. How did you handle it?"

STRONG_WITH_RESULT = Labelled(
    "strong story with a stated result",
    "Tell me about a time you improved a slow process.",
    QuestionType.BEHAVIOURAL,
    "At Northwind I ran the infrastructure team's intake, and every new service waited on "
    "a ticket to us before it got a database and a build pipeline. My task was to stop that "
    "queue from blocking product launches without adding headcount. I interviewed the six "
    "teams that filed the most tickets, found that nine out of ten requests asked for the "
    "same three things, and wrote Terraform modules for them. I then built a self-service "
    "form that ran those modules after an automatic policy check, and I ran two workshops "
    "so the teams trusted it. Within a quarter the queue was gone: provisioning time fell "
    "from two days to about 20 minutes, and my team got back roughly a day a week for "
    "reliability work.",
    (7.0, 10.0),
    (6.0, 10.0),
)

VAGUE = Labelled(
    "vague story",
    "Tell me about a time you improved a slow process.",
    QuestionType.BEHAVIOURAL,
    "At my last job things were kind of slow and there were various issues with how stuff "
    "got done. We looked at a lot of things and tried to make it better in different ways. "
    "We talked to people and changed some things, and it was a good learning experience "
    "for the team. In the end it went pretty well and everyone was happy with it, I think.",
    (2.5, 6.0),
    (1.5, 5.0),
)

OFF_TOPIC_REHEARSED = Labelled(
    "rehearsed story that answers another question",
    DISAGREE,
    QuestionType.BEHAVIOURAL,
    "At Globex I led the migration of our billing system from a nightly batch to an "
    "event-driven design on Kafka. I mapped the forty jobs that touched invoices, wrote the "
    "migration plan, and moved them over in four phases with a rollback switch for each. "
    "I built dashboards in Grafana so finance could watch invoice counts in real time, and "
    "I trained two engineers to run the new consumers. As a result invoice errors fell by "
    "60% and month-end close went from nine days to five, which saved the finance team "
    "about 30 hours every month.",
    (0.0, 5.0),
    (0.0, 5.0),
)

OPINION_DIRECT = Labelled(
    "opinion question answered directly",
    "What do you think makes a good manager?",
    QuestionType.BEHAVIOURAL,
    "I think a good manager makes the team's priorities clear and then gets out of the way. "
    "Clarity matters most because people can only make good decisions on their own when "
    "they know what matters this quarter and why. The second thing is honest feedback "
    "given early, in private, and with an example, so nobody is surprised at review time. "
    "For example, my manager at the bookshop where I worked wrote the three goals for the "
    "month on the wall, asked us each week what was in our way, and told me directly when "
    "my displays were too cluttered. I trusted her because I always knew where I stood, "
    "and that is what I would try to give a team of my own.",
    (6.5, 10.0),
    (5.5, 10.0),
)

PARAPHRASE = Labelled(
    "on-topic paraphrase",
    DISAGREE,
    QuestionType.BEHAVIOURAL,
    "Last spring my boss wanted to ship the new checkout to every customer on the same "
    "day, and I thought that was too risky because our payment tests only covered card "
    "payments. I didn't go along with the plan as it was. I booked half an hour with her, "
    "showed her the three payment methods that had no tests, and proposed a staged rollout: "
    "five percent of customers first, then half, then everyone. She pushed back on the "
    "delay, so I offered to write the missing tests myself that week. She agreed, the "
    "staged rollout caught a bug in bank transfers on day one, and we fixed it before it "
    "reached more than a handful of customers. Since then she asks me to review rollout "
    "plans, and I learned to bring evidence rather than just objections.",
    (6.5, 10.0),
    (5.5, 10.0),
)

RAMBLE_WITH_ADMISSION = Labelled(
    "ramble that admits it has no answer",
    "Tell me about a time you showed leadership.",
    QuestionType.BEHAVIOURAL,
    "Um so leadership is something that I think about a lot, and I guess there are a lot "
    "of different kinds of leadership, like you can lead from the front or from behind, and "
    "I think both are important in different ways depending on the situation and the people "
    "and the kind of team you have. In school I was in a lot of clubs and we did a lot of "
    "things together, like we had meetings and events and stuff, and I was always kind of "
    "involved in the planning and the organising and the talking to people. And I think "
    "that's a kind of leadership too, because you have to get people to do things and you "
    "have to communicate and be organised, which I think I am, mostly, I mean I try to be. "
    "Also in my internship there were a lot of meetings and I would sometimes share my "
    "ideas, and people would listen, and sometimes they would not, which is normal I think. "
    "I also like to help people when they are stuck, and I think that is leadership as "
    "well, like being there for people and being reliable and things like that. So yeah, "
    "there are many ways to be a leader and I try to do all of them a little bit. I really "
    "don't know how to answer these type of questions sorry, I always find them hard "
    "because I don't have one big story, it's more like a lot of small things that add up "
    "over time, you know, and that is how I see leadership in general I guess.",
    (0.0, 4.5),
    (0.0, 4.0),
)

NON_ANSWER = Labelled(
    "non-answer",
    "Tell me about a time you showed leadership.",
    QuestionType.BEHAVIOURAL,
    "Sorry, I don't know, nothing comes to mind.",
    (0.0, 3.0),
    (0.0, 3.0),
)

PITCH = Labelled(
    "tell me about yourself, answered as a pitch",
    "Tell me about yourself.",
    QuestionType.BEHAVIOURAL,
    "I'm a third-year computer science student at Boston University, and I'm most at home "
    "where software meets people who are not engineers. Last summer I interned at a "
    "health-care start-up, where I built the scheduling screens that nurses use to book "
    "follow-up visits, and I spent a day on the ward watching how they actually worked "
    "before I changed anything. Before that I tutored maths for two years, which taught me "
    "to explain things simply. I'm applying for this internship because your team builds "
    "tools for clinics, and I want to spend the summer shipping something that people in "
    "a hurry rely on every day.",
    (6.5, 10.0),
    (5.5, 10.0),
)

LEADERSHIP_PARAPHRASE = Labelled(
    "leadership story told without the word",
    "So tell me about a time you demonstrated leadership.",
    QuestionType.BEHAVIOURAL,
    "Last year I was president of our dorm's student council, and I was in charge of "
    "the spring fundraiser for the food bank. The year before it had raised about $800 "
    "and half the volunteers quit halfway through. I split the work into four crews, "
    "recruited a captain for each, and ran a ten-minute check-in every Sunday so problems "
    "came up early. When the venue cancelled two weeks out, I found a new one on campus "
    "and re-planned the schedule with the captains the same night. We raised $2,300, "
    "nobody dropped out, and two of the captains ran the event themselves this year.",
    (6.5, 10.0),
    (5.5, 10.0),
)

FIT_PITCH = Labelled(
    "why hire me, answered with reasons and claims but none of the question's words",
    "And why should we hire you?",
    QuestionType.BEHAVIOURAL,
    "Because I learn fast and I finish what I start. I'm a dedicated worker: I have held a "
    "part-time job through three years of classes, and I can pick up a new tool in a "
    "weekend. I'd bring the habit of asking users before building, which is what your team "
    "does.",
    (6.0, 9.0),
    (5.0, 8.5),
)

ANSWER_SET: tuple[Labelled, ...] = (
    STRONG_WITH_RESULT,
    VAGUE,
    OFF_TOPIC_REHEARSED,
    OPINION_DIRECT,
    PARAPHRASE,
    RAMBLE_WITH_ADMISSION,
    NON_ANSWER,
    PITCH,
    LEADERSHIP_PARAPHRASE,
    FIT_PITCH,
)
