"""ood_math, ood_logic, ood_knowledge: a few questions written by hand, not by the generators.

A check, not a benchmark (12 questions each, a test split only): every trained student answers them, so
a format collapse or a skill lost in fine-tuning shows even where the generators' own test split, drawn
from the templates the student was trained on, hides it. The questions avoid the generators' templates
(shopping, fruit, travel; syllogisms, orderings, knights and knaves, implications), and no knowledge
answer is one of the fact table's (a test checks both).
"""

from __future__ import annotations

from alice_eval.data.synthetic.common import _record

# (question, answer)
MATH = [
    ("A classroom has 6 rows of desks with 5 desks in each row. How many desks are in the classroom?", "30"),
    ("Maria had 24 stickers. She gave 9 of them to her brother. How many stickers does she have left?", "15"),
    ("A baker fills 3 trays with 12 cookies each and sells 20 cookies. How many cookies are left?", "16"),
    ("Tom is 8 years old. His aunt is 4 times as old as he is. How old is his aunt?", "32"),
    ("A film starts at 2 pm and ends at 5 pm. How many minutes long is the film?", "180"),
    ("45 marbles are shared equally among 9 children. How many marbles does each child get?", "5"),
    ("A garden is 7 meters long and 4 meters wide. What is its area in square meters?", "28"),
    ("Sam puts 15 dollars into his piggy bank every week. How many dollars has he put in after 6 weeks?", "90"),
    ("A bus has 40 seats and 23 passengers, each in their own seat. How many seats are empty?", "17"),
    ("A pizza is cut into 8 slices. Three friends each eat 2 slices. How many slices are left?", "2"),
    ("Lena reads 12 pages a day. How many days does she need to read a book of 96 pages?", "8"),
    ("A farm has 5 cows and 12 hens. How many legs do these animals have altogether?", "44"),
]

# (question, options A-D, the right label)
LOGIC = [
    ("If it rains, the street gets wet. This morning the street is not wet. What follows?",
     ["It rained this morning.", "It did not rain this morning.", "The street is always dry.",
      "Nothing can be concluded."], "B"),
    ("Today is Wednesday. What day of the week will it be three days from now?",
     ["Friday", "Saturday", "Sunday", "Thursday"], "B"),
    ("What number comes next in the sequence 2, 4, 8, 16, ...?", ["18", "24", "32", "20"], "C"),
    ("A box holds only red and blue balls, and none of them is red. What colour is a ball taken from the box?",
     ["Red", "Blue", "Green", "It cannot be known"], "B"),
    ("Every dog at the shelter has been vaccinated. Rex is a dog at the shelter. Which statement is true?",
     ["Rex has been vaccinated.", "Rex has not been vaccinated.", "Rex is a cat.",
      "Some dogs at the shelter are not vaccinated."], "A"),
    ("Which word does not belong with the others: apple, banana, carrot, cherry?",
     ["apple", "banana", "carrot", "cherry"], "C"),
    ("If a shape is a square, it has four sides. This shape has three sides. What follows?",
     ["It is a square.", "It is not a square.", "It has four sides.", "It is a circle."], "B"),
    ("It is 9 o'clock. What time will it be in 5 hours on a 12-hour clock?",
     ["1 o'clock", "2 o'clock", "3 o'clock", "4 o'clock"], "B"),
    ("A glass is dropped on a stone floor and breaks. Which is the cause and which the effect?",
     ["The breaking caused the drop.", "The drop caused the breaking.", "Neither caused the other.",
      "The floor caused the drop."], "B"),
    ("Which of these numbers is both even and greater than 10?", ["7", "10", "12", "15"], "C"),
    ("Hot is to cold as up is to ...?", ["high", "down", "left", "warm"], "B"),
    ("A light switch has two positions, on and off. The light is not on. In which position is the switch?",
     ["On", "Off", "Both", "It cannot be known"], "B"),
]

# (question, accepted answers: the first is the answer)
KNOWLEDGE = [
    ("How many legs does a spider have?", ["eight", "8"]),
    ("What colour do you get when you mix blue and yellow paint?", ["green"]),
    ("What do bees make from the nectar of flowers?", ["honey"]),
    ("How many days are there in a leap year?", ["366"]),
    ("How many players does a football (soccer) team have on the field at once?", ["eleven", "11"]),
    ("What is water called when it is frozen solid?", ["ice"]),
    ("Which musical instrument has 88 black and white keys?", ["piano", "pianoforte"]),
    ("In which sport do players hit a shuttlecock over a net?", ["badminton"]),
    ("What is a young cat called?", ["kitten"]),
    ("What is the main ingredient of guacamole?", ["avocado", "avocados"]),
    ("How many minutes are there in one hour?", ["sixty", "60"]),
    ("On which day of the week does the weekend in most of Europe begin?", ["Saturday"]),
]


def _only_test(name: str, split: str) -> None:
    if split != "test":
        raise ValueError(f"dataset {name}: hand-written questions for evaluation only, no {split!r} split; "
                         "train on another dataset")


def math_records(split: str, **_) -> list[dict]:
    _only_test("ood_math", split)
    return [_record("ood_math", split, i, "number", q, a) for i, (q, a) in enumerate(MATH)]


def logic_records(split: str, **_) -> list[dict]:
    _only_test("ood_logic", split)
    return [_record("ood_logic", split, i, "choice", q, a, choices=options, labels=list("ABCD"))
            for i, (q, options, a) in enumerate(LOGIC)]


def knowledge_records(split: str, **_) -> list[dict]:
    _only_test("ood_knowledge", split)
    return [_record("ood_knowledge", split, i, "text", q, aliases[0], aliases=aliases)
            for i, (q, aliases) in enumerate(KNOWLEDGE)]
