"""The fact table behind ``synth_knowledge``: short open questions with canonical answers and aliases.

Written for this project. Every fact carries a fame level, so that ``difficulty`` can pick well-known
facts ("easy": capitals of big countries, famous books), middling ones ("medium") or obscure ones
("hard"). Aliases are other acceptable spellings of the same answer (accents dropped, initials
written without dots, a surname alone where it is unambiguous), never a different answer.

A fact's ``group`` decides its train/test split (see ``alice_eval.data.synthetic``): facts that ask
the same thing two ways (an element's symbol and the element with that symbol) share a group, so a
test fact is never answered by a train question.
"""

from __future__ import annotations

from dataclasses import dataclass

E, M, H = "easy", "medium", "hard"
LEVELS = (E, M, H)


@dataclass(frozen=True)
class Fact:
    key: str                  # unique and stable: "capital:Australia"
    question: str
    answer: str               # canonical answer text
    aliases: tuple[str, ...]  # accepted spellings, the answer first
    level: str                # easy | medium | hard
    group: str                # split unit; facts asking the same thing share one


def _fact(key: str, question: str, answer: str, level: str, aliases=(), group: str | None = None) -> Fact:
    spellings = [answer] + [a for a in aliases if a != answer]
    return Fact(key, question, answer, tuple(spellings), level, group or key)


# -- capitals: (country as it reads after "the capital of", capital, level, other spellings) ---------

_CAPITALS = [
    ("France", "Paris", E), ("Germany", "Berlin", E), ("Italy", "Rome", E), ("Spain", "Madrid", E),
    ("the United Kingdom", "London", E), ("Japan", "Tokyo", E), ("China", "Beijing", E, ["Peking"]),
    ("Russia", "Moscow", E), ("the United States", "Washington, D.C.", E, ["Washington DC", "Washington"]),
    ("Egypt", "Cairo", E), ("Greece", "Athens", E), ("Ireland", "Dublin", E), ("Portugal", "Lisbon", E),
    ("Mexico", "Mexico City", E), ("India", "New Delhi", E, ["Delhi"]), ("Austria", "Vienna", E),
    ("Norway", "Oslo", E), ("Sweden", "Stockholm", E), ("Denmark", "Copenhagen", E),
    ("Thailand", "Bangkok", E), ("South Korea", "Seoul", E), ("Argentina", "Buenos Aires", E),
    ("Poland", "Warsaw", E), ("Belgium", "Brussels", E), ("Hungary", "Budapest", E),
    ("Finland", "Helsinki", E), ("Cuba", "Havana", E), ("Peru", "Lima", E), ("Kenya", "Nairobi", E),
    ("the Netherlands", "Amsterdam", E), ("the Czech Republic", "Prague", E),
    ("Iran", "Tehran", E, ["Teheran"]), ("Iraq", "Baghdad", E), ("Afghanistan", "Kabul", E),
    ("Chile", "Santiago", E, ["Santiago de Chile"]), ("Scotland", "Edinburgh", E),

    ("Australia", "Canberra", M), ("Canada", "Ottawa", M), ("Brazil", "Brasília", M, ["Brasilia"]),
    ("Turkey", "Ankara", M), ("Switzerland", "Bern", M, ["Berne"]), ("New Zealand", "Wellington", M),
    ("Nigeria", "Abuja", M), ("Pakistan", "Islamabad", M), ("Vietnam", "Hanoi", M, ["Ha Noi"]),
    ("the Philippines", "Manila", M), ("Indonesia", "Jakarta", M), ("Malaysia", "Kuala Lumpur", M),
    ("Saudi Arabia", "Riyadh", M), ("Colombia", "Bogotá", M, ["Bogota"]), ("Venezuela", "Caracas", M),
    ("Ukraine", "Kyiv", M, ["Kiev"]), ("Romania", "Bucharest", M), ("Bulgaria", "Sofia", M),
    ("Serbia", "Belgrade", M), ("Croatia", "Zagreb", M), ("Iceland", "Reykjavík", M, ["Reykjavik"]),
    ("Morocco", "Rabat", M), ("Ethiopia", "Addis Ababa", M), ("Syria", "Damascus", M),
    ("Lebanon", "Beirut", M), ("Jordan", "Amman", M), ("Ghana", "Accra", M),
    ("Bangladesh", "Dhaka", M, ["Dacca"]), ("Nepal", "Kathmandu", M), ("North Korea", "Pyongyang", M),
    ("Ecuador", "Quito", M), ("Uruguay", "Montevideo", M), ("Algeria", "Algiers", M),
    ("Senegal", "Dakar", M), ("Sudan", "Khartoum", M), ("Zimbabwe", "Harare", M),
    ("the United Arab Emirates", "Abu Dhabi", M), ("Qatar", "Doha", M), ("Wales", "Cardiff", M),
    ("Libya", "Tripoli", M), ("Cambodia", "Phnom Penh", M), ("Jamaica", "Kingston", M),
    ("Uganda", "Kampala", M), ("Somalia", "Mogadishu", M), ("Latvia", "Riga", M),
    ("Belarus", "Minsk", M), ("Slovakia", "Bratislava", M),

    ("Kazakhstan", "Astana", H, ["Nur-Sultan"]), ("Mongolia", "Ulaanbaatar", H, ["Ulan Bator", "Ulaan Baatar"]),
    ("Myanmar", "Naypyidaw", H, ["Nay Pyi Taw", "Naypyitaw"]), ("Burkina Faso", "Ouagadougou", H),
    ("Bhutan", "Thimphu", H), ("Laos", "Vientiane", H), ("Kyrgyzstan", "Bishkek", H),
    ("Tajikistan", "Dushanbe", H), ("Turkmenistan", "Ashgabat", H, ["Ashkhabad"]),
    ("Uzbekistan", "Tashkent", H), ("Azerbaijan", "Baku", H), ("the country of Georgia", "Tbilisi", H),
    ("Armenia", "Yerevan", H), ("Moldova", "Chișinău", H, ["Chisinau"]), ("Slovenia", "Ljubljana", H),
    ("North Macedonia", "Skopje", H), ("Albania", "Tirana", H), ("Montenegro", "Podgorica", H),
    ("Bosnia and Herzegovina", "Sarajevo", H), ("Malta", "Valletta", H), ("Cyprus", "Nicosia", H),
    ("Paraguay", "Asunción", H, ["Asuncion"]), ("Honduras", "Tegucigalpa", H), ("Nicaragua", "Managua", H),
    ("Costa Rica", "San José", H, ["San Jose"]), ("Madagascar", "Antananarivo", H), ("Mali", "Bamako", H),
    ("Niger", "Niamey", H), ("Chad", "N'Djamena", H, ["Ndjamena"]), ("Cameroon", "Yaoundé", H, ["Yaounde"]),
    ("Angola", "Luanda", H), ("Mozambique", "Maputo", H), ("Zambia", "Lusaka", H), ("Namibia", "Windhoek", H),
    ("Botswana", "Gaborone", H), ("Rwanda", "Kigali", H), ("Eritrea", "Asmara", H), ("Oman", "Muscat", H),
    ("Yemen", "Sanaa", H, ["Sana'a"]), ("Papua New Guinea", "Port Moresby", H), ("Fiji", "Suva", H),
    ("Liechtenstein", "Vaduz", H), ("Mauritania", "Nouakchott", H), ("Gabon", "Libreville", H),
    ("Liberia", "Monrovia", H), ("Sierra Leone", "Freetown", H), ("Guinea", "Conakry", H),
    ("Malawi", "Lilongwe", H), ("Suriname", "Paramaribo", H), ("Guyana", "Georgetown", H),
    ("the Bahamas", "Nassau", H), ("Haiti", "Port-au-Prince", H), ("the Dominican Republic", "Santo Domingo", H),
    ("Lithuania", "Vilnius", H), ("Estonia", "Tallinn", H), ("Bahrain", "Manama", H),
    ("Brunei", "Bandar Seri Begawan", H), ("Lesotho", "Maseru", H), ("Togo", "Lomé", H, ["Lome"]),
    ("South Sudan", "Juba", H), ("the Central African Republic", "Bangui", H), ("Belize", "Belmopan", H),
    ("the Maldives", "Malé", H, ["Male"]), ("Samoa", "Apia", H),
]


# -- chemical elements: (name, symbol, level, ask the symbol?, other spellings of the name) ----------
# The symbol is only asked for where it cannot be read off an ordinary English word in an answer:
# "He", "As", "I", "Be", "S" and "B" would match "he", "as", "I", ... in any sentence.

_ELEMENTS = [
    ("hydrogen", "H", E, True), ("helium", "He", E, False), ("lithium", "Li", M, True),
    ("beryllium", "Be", H, False), ("boron", "B", H, False), ("carbon", "C", E, True),
    ("nitrogen", "N", E, True), ("oxygen", "O", E, True), ("fluorine", "F", M, True),
    ("neon", "Ne", M, True), ("sodium", "Na", M, True), ("magnesium", "Mg", M, True),
    ("aluminium", "Al", M, True, ["aluminum"]), ("silicon", "Si", M, True), ("phosphorus", "P", M, True),
    ("sulfur", "S", M, False, ["sulphur"]), ("chlorine", "Cl", M, True), ("argon", "Ar", H, True),
    ("potassium", "K", M, True), ("calcium", "Ca", M, True), ("titanium", "Ti", H, True),
    ("chromium", "Cr", H, True), ("manganese", "Mn", H, True), ("iron", "Fe", E, True),
    ("cobalt", "Co", H, True), ("nickel", "Ni", M, True), ("copper", "Cu", M, True), ("zinc", "Zn", M, True),
    ("arsenic", "As", H, False), ("bromine", "Br", H, True), ("krypton", "Kr", H, True),
    ("strontium", "Sr", H, True), ("silver", "Ag", E, True), ("tin", "Sn", H, True), ("antimony", "Sb", H, True),
    ("iodine", "I", M, False), ("xenon", "Xe", H, True), ("caesium", "Cs", H, True, ["cesium"]),
    ("barium", "Ba", H, True), ("tungsten", "W", H, True, ["wolfram"]), ("platinum", "Pt", M, True),
    ("gold", "Au", E, True), ("mercury", "Hg", M, True), ("lead", "Pb", M, True), ("radon", "Rn", H, True),
    ("uranium", "U", M, True), ("plutonium", "Pu", H, True),
]

# Atomic numbers worth asking: (number, element name, level).
_ATOMIC_NUMBERS = [
    (1, "hydrogen", E), (2, "helium", M), (3, "lithium", H), (6, "carbon", M), (7, "nitrogen", H),
    (8, "oxygen", M), (10, "neon", H), (11, "sodium", H), (17, "chlorine", H), (20, "calcium", H),
    (26, "iron", H), (29, "copper", H), (79, "gold", H), (92, "uranium", H),
]


# -- authors: (work as it reads after "Who wrote", author, level, other spellings) --------------------

_AUTHORS = [
    ("the play 'Romeo and Juliet'", "William Shakespeare", E, ["Shakespeare"]),
    ("the play 'Hamlet'", "William Shakespeare", E, ["Shakespeare"]),
    ("the play 'Macbeth'", "William Shakespeare", E, ["Shakespeare"]),
    ("the novel '1984'", "George Orwell", E, ["Orwell", "Eric Arthur Blair", "Eric Blair"]),
    ("the novel 'Harry Potter and the Philosopher's Stone'", "J. K. Rowling", E, ["JK Rowling", "Rowling"]),
    ("the novel 'Pride and Prejudice'", "Jane Austen", E, ["Austen"]),
    ("the novel 'The Lord of the Rings'", "J. R. R. Tolkien", E, ["JRR Tolkien", "Tolkien"]),
    ("the novel 'The Adventures of Tom Sawyer'", "Mark Twain", E, ["Twain", "Samuel Clemens"]),
    ("the novel 'Oliver Twist'", "Charles Dickens", E, ["Dickens"]),
    ("the novella 'A Christmas Carol'", "Charles Dickens", E, ["Dickens"]),
    ("the novel 'War and Peace'", "Leo Tolstoy", E, ["Tolstoy", "Lev Tolstoy"]),
    ("the novel 'Don Quixote'", "Miguel de Cervantes", E, ["Cervantes"]),
    ("the epic poem 'The Odyssey'", "Homer", E),
    ("the stories about the detective Sherlock Holmes", "Arthur Conan Doyle", E, ["Conan Doyle"]),
    ("the novel 'Animal Farm'", "George Orwell", M, ["Orwell", "Eric Arthur Blair", "Eric Blair"]),
    ("the novel 'Frankenstein'", "Mary Shelley", M, ["Mary Wollstonecraft Shelley"]),
    ("the novel 'Dracula'", "Bram Stoker", M, ["Stoker"]),
    ("the novel 'Moby-Dick'", "Herman Melville", M, ["Melville"]),
    ("the novel 'The Great Gatsby'", "F. Scott Fitzgerald", M, ["Scott Fitzgerald", "Fitzgerald"]),
    ("the novel 'To Kill a Mockingbird'", "Harper Lee", M),
    ("the novel 'Crime and Punishment'", "Fyodor Dostoevsky", M, ["Dostoevsky", "Dostoyevsky"]),
    ("the novel 'Anna Karenina'", "Leo Tolstoy", M, ["Tolstoy", "Lev Tolstoy"]),
    ("the novel 'Jane Eyre'", "Charlotte Brontë", M, ["Charlotte Bronte"]),
    ("the novel 'Wuthering Heights'", "Emily Brontë", M, ["Emily Bronte"]),
    ("the novel 'The Catcher in the Rye'", "J. D. Salinger", M, ["JD Salinger", "Salinger"]),
    ("the novella 'The Old Man and the Sea'", "Ernest Hemingway", M, ["Hemingway"]),
    ("the novel 'Brave New World'", "Aldous Huxley", M, ["Huxley"]),
    ("the novella 'The Time Machine'", "H. G. Wells", M, ["HG Wells", "Herbert George Wells"]),
    ("the novel 'The Hobbit'", "J. R. R. Tolkien", M, ["JRR Tolkien", "Tolkien"]),
    ("the book 'Alice's Adventures in Wonderland'", "Lewis Carroll", M, ["Carroll", "Charles Dodgson"]),
    ("the novel 'Les Misérables'", "Victor Hugo", M, ["Hugo"]),
    ("the novel 'Treasure Island'", "Robert Louis Stevenson", M, ["RL Stevenson", "Stevenson"]),
    ("the novel 'Gulliver's Travels'", "Jonathan Swift", M, ["Swift"]),
    ("the novel 'Robinson Crusoe'", "Daniel Defoe", M, ["Defoe"]),
    ("the poem 'The Divine Comedy'", "Dante Alighieri", M, ["Dante"]),
    ("the novella 'Of Mice and Men'", "John Steinbeck", M, ["Steinbeck"]),
    ("the novel 'Fahrenheit 451'", "Ray Bradbury", M, ["Bradbury"]),
    ("the children's book 'Charlie and the Chocolate Factory'", "Roald Dahl", M, ["Dahl"]),
    ("the novella 'The Little Prince'", "Antoine de Saint-Exupéry", M, ["Saint-Exupery", "Saint-Exupéry"]),
    ("'The Jungle Book'", "Rudyard Kipling", M, ["Kipling"]),
    ("the novel 'Around the World in Eighty Days'", "Jules Verne", M, ["Verne"]),
    ("the novel 'The Picture of Dorian Gray'", "Oscar Wilde", M, ["Wilde"]),
    ("the novel 'The Grapes of Wrath'", "John Steinbeck", H, ["Steinbeck"]),
    ("the novel 'One Hundred Years of Solitude'", "Gabriel García Márquez", H,
     ["Gabriel Garcia Marquez", "García Márquez", "Garcia Marquez"]),
    ("the novella 'The Metamorphosis'", "Franz Kafka", H, ["Kafka"]),
    ("the novel 'Madame Bovary'", "Gustave Flaubert", H, ["Flaubert"]),
    ("the 1922 novel 'Ulysses'", "James Joyce", H, ["Joyce"]),
    ("the novel 'Mrs Dalloway'", "Virginia Woolf", H, ["Woolf"]),
    ("the novel 'Middlemarch'", "George Eliot", H, ["Mary Ann Evans"]),
    ("the novel 'The Brothers Karamazov'", "Fyodor Dostoevsky", H, ["Dostoevsky", "Dostoyevsky"]),
    ("the novel 'Things Fall Apart'", "Chinua Achebe", H, ["Achebe"]),
    ("the novel 'Beloved'", "Toni Morrison", H, ["Morrison"]),
    ("the novel 'Lolita'", "Vladimir Nabokov", H, ["Nabokov"]),
    ("the novel 'Catch-22'", "Joseph Heller", H, ["Heller"]),
    ("the novel 'Slaughterhouse-Five'", "Kurt Vonnegut", H, ["Vonnegut"]),
    ("the novel 'The Name of the Rose'", "Umberto Eco", H),
    ("the novella 'Heart of Darkness'", "Joseph Conrad", H, ["Conrad"]),
    ("the novel 'The Count of Monte Cristo'", "Alexandre Dumas", H, ["Dumas"]),
    ("the novel 'Dead Souls'", "Nikolai Gogol", H, ["Gogol"]),
    ("the play 'Faust'", "Johann Wolfgang von Goethe", H, ["Goethe"]),
    ("the satire 'Candide'", "Voltaire", H),
    ("the epic poem 'Paradise Lost'", "John Milton", H, ["Milton"]),
    ("'The Canterbury Tales'", "Geoffrey Chaucer", H, ["Chaucer"]),
    ("the poetry collection 'Leaves of Grass'", "Walt Whitman", H, ["Whitman"]),
    ("the novel 'The Scarlet Letter'", "Nathaniel Hawthorne", H, ["Hawthorne"]),
    ("the novel 'Little Women'", "Louisa May Alcott", H, ["Alcott"]),
    ("the novel 'Siddhartha'", "Hermann Hesse", H, ["Hesse"]),
    ("the novel 'L'Étranger' ('The Stranger')", "Albert Camus", H, ["Camus"]),
]


# -- currencies: (country, currency, level, other names) -------------------------------------------

_CURRENCIES = [
    ("Japan", "Japanese yen", E, ["yen"]), ("the United Kingdom", "pound sterling", E,
                                             ["pound", "pounds", "British pound"]),
    ("the United States", "US dollar", E, ["dollar", "dollars", "United States dollar"]),
    ("Germany", "euro", E, ["euros"]), ("India", "Indian rupee", E, ["rupee", "rupees"]),
    ("Mexico", "Mexican peso", E, ["peso", "pesos"]), ("Russia", "Russian ruble", M, ["ruble", "rouble", "rubles"]),
    ("China", "renminbi", M, ["yuan", "Chinese yuan"]), ("Brazil", "Brazilian real", M, ["real", "reais"]),
    ("South Africa", "South African rand", M, ["rand"]), ("Switzerland", "Swiss franc", M, ["franc", "francs"]),
    ("Sweden", "Swedish krona", M, ["krona", "kronor"]), ("Turkey", "Turkish lira", M, ["lira"]),
    ("South Korea", "South Korean won", M, ["won"]), ("Australia", "Australian dollar", E, ["dollar", "dollars"]),
    ("Canada", "Canadian dollar", E, ["dollar", "dollars"]), ("Italy", "euro", E, ["euros"]),
    ("Norway", "Norwegian krone", H, ["krone", "kroner"]), ("Denmark", "Danish krone", H, ["krone", "kroner"]),
    ("Poland", "Polish złoty", H, ["zloty", "złoty", "Polish zloty"]), ("Thailand", "Thai baht", M, ["baht"]),
    ("Vietnam", "Vietnamese đồng", H, ["dong", "đồng", "Vietnamese dong"]),
    ("Indonesia", "Indonesian rupiah", H, ["rupiah"]), ("Israel", "Israeli new shekel", M,
                                                       ["shekel", "shekels", "new shekel", "sheqel"]),
    ("Saudi Arabia", "Saudi riyal", H, ["riyal"]), ("Nigeria", "Nigerian naira", H, ["naira"]),
    ("Egypt", "Egyptian pound", M, ["pound", "pounds"]), ("Hungary", "Hungarian forint", H, ["forint"]),
    ("the Czech Republic", "Czech koruna", H, ["koruna", "Czech crown"]),
    ("Malaysia", "Malaysian ringgit", H, ["ringgit"]), ("Bangladesh", "Bangladeshi taka", H, ["taka"]),
    ("Kenya", "Kenyan shilling", H, ["shilling", "shillings"]), ("Ukraine", "Ukrainian hryvnia", H,
                                                                 ["hryvnia", "hryvnya"]),
    ("Argentina", "Argentine peso", M, ["peso", "pesos"]), ("the Philippines", "Philippine peso", H,
                                                           ["peso", "pesos", "piso"]),
]


# -- continents: (country, continent, level, other names) -------------------------------------------
# Transcontinental countries (Russia, Turkey, Egypt, Kazakhstan) are left out: they have no one answer.

_NA = ["North America", "Central America"]  # Central America and the Caribbean lie in North America
_CONTINENTS = [
    ("Kenya", "Africa", E), ("Brazil", "South America", E), ("Japan", "Asia", E), ("Argentina", "South America", E),
    ("Germany", "Europe", E), ("India", "Asia", E), ("Nigeria", "Africa", E), ("Canada", "North America", E),
    ("Peru", "South America", M), ("Vietnam", "Asia", M), ("Ghana", "Africa", M), ("Portugal", "Europe", M),
    ("Colombia", "South America", M), ("Mongolia", "Asia", M), ("Morocco", "Africa", M), ("Norway", "Europe", M),
    ("Cuba", "North America", M), ("Uruguay", "South America", M),
    ("Suriname", "South America", H), ("Guyana", "South America", H), ("Paraguay", "South America", H),
    ("Bhutan", "Asia", H), ("Laos", "Asia", H), ("Eritrea", "Africa", H), ("Malawi", "Africa", H),
    ("Moldova", "Europe", H), ("Belarus", "Europe", H), ("Honduras", "North America", H, _NA),
    ("Mali", "Africa", H), ("Burkina Faso", "Africa", H), ("Namibia", "Africa", H), ("Lesotho", "Africa", H),
    ("Bolivia", "South America", H), ("Ecuador", "South America", H), ("Nepal", "Asia", M),
    ("Kyrgyzstan", "Asia", H), ("Slovenia", "Europe", H), ("Estonia", "Europe", H),
    ("Guatemala", "North America", H, _NA), ("Fiji", "Oceania", H, ["Australia and Oceania", "Australasia"]),
]


# -- SI units: (quantity, unit, level, other spellings) ----------------------------------------------
# Time ("second") and absorbed dose ("gray") are left out: their units are common English words.

_UNITS = [
    ("force", "newton", M, ["newtons"]), ("energy", "joule", M, ["joules"]), ("power", "watt", E, ["watts"]),
    ("electric current", "ampere", M, ["amperes", "amp", "amps"]), ("electric charge", "coulomb", H, ["coulombs"]),
    ("electrical resistance", "ohm", M, ["ohms"]), ("electric potential difference (voltage)", "volt", E, ["volts"]),
    ("frequency", "hertz", M), ("pressure", "pascal", M, ["pascals"]),
    ("thermodynamic temperature", "kelvin", M, ["kelvins"]), ("mass", "kilogram", E, ["kilograms", "kilogramme"]),
    ("length", "metre", E, ["meter", "metres", "meters"]), ("amount of substance", "mole", H, ["moles"]),
    ("luminous intensity", "candela", H, ["candelas"]), ("magnetic flux density", "tesla", H, ["teslas"]),
    ("electrical capacitance", "farad", H, ["farads"]), ("inductance", "henry", H, ["henries", "henrys"]),
    ("radioactivity (activity of a radionuclide)", "becquerel", H, ["becquerels"]),
    ("magnetic flux", "weber", H, ["webers"]),
]


# -- open questions by topic: (question, answer, level, other spellings) -----------------------------

_TOPICS: dict[str, list] = {
    "space": [
        ("Which planet is the largest in our solar system?", "Jupiter", E),
        ("Which planet is closest to the Sun?", "Mercury", E),
        ("Which planet is known as the Red Planet?", "Mars", E),
        ("Which planet is best known for its large, bright rings?", "Saturn", E),
        ("Which planet is the third planet from the Sun?", "Earth", E),
        ("Which galaxy contains our solar system?", "Milky Way", E),
        ("Which planet is the farthest from the Sun?", "Neptune", M),
        ("Which planet is the smallest in our solar system?", "Mercury", M),
        ("Which planet has the hottest surface in our solar system?", "Venus", M),
        ("Which planet has a giant storm called the Great Red Spot?", "Jupiter", M),
        ("Which planet is the second planet from the Sun?", "Venus", M),
        ("Which planet is the fifth planet from the Sun?", "Jupiter", M),
        ("Which dwarf planet was a full planet until it was reclassified in 2006?", "Pluto", M),
        ("Which planet spins on its side, with an axis tilted about 98 degrees?", "Uranus", H),
        ("Which planet has the large moon Titan?", "Saturn", H),
        ("Which planet has the two small moons Phobos and Deimos?", "Mars", H),
        ("Which planet has the large moon Triton?", "Neptune", H),
        ("Which planet did William Herschel discover in 1781?", "Uranus", H),
        ("What is the largest moon in our solar system?", "Ganymede", H),
        ("What is the nearest star to the Sun?", "Proxima Centauri", H),
        ("On which planet is the huge volcano Olympus Mons?", "Mars", H),
        ("What is the nearest large spiral galaxy to the Milky Way?", "Andromeda", H,
         ["Andromeda Galaxy", "M31"]),
        ("Who was the first person to walk on the Moon?", "Neil Armstrong", E, ["Armstrong"]),
        ("Who was the first person to travel into space?", "Yuri Gagarin", M, ["Gagarin"]),
    ],
    "discovery": [
        ("Who developed the theory of relativity?", "Albert Einstein", E, ["Einstein"]),
        ("Who formulated the three laws of motion and the law of universal gravitation?", "Isaac Newton", E,
         ["Newton"]),
        ("Who proposed the theory of evolution by natural selection in 'On the Origin of Species'?",
         "Charles Darwin", E, ["Darwin"]),
        ("Who invented the telephone, patenting it in 1876?", "Alexander Graham Bell", E, ["Graham Bell", "Bell"]),
        ("Which brothers made the first powered airplane flight in 1903?", "the Wright brothers", E,
         ["Wright brothers", "Orville and Wilbur Wright", "Wilbur and Orville Wright"]),
        ("Who discovered penicillin in 1928?", "Alexander Fleming", M, ["Fleming"]),
        ("Who invented the phonograph in 1877?", "Thomas Edison", M, ["Edison", "Thomas Alva Edison"]),
        ("Who invented the World Wide Web?", "Tim Berners-Lee", M, ["Berners-Lee", "Tim Berners Lee"]),
        ("Which scientist discovered the elements polonium and radium together with her husband?", "Marie Curie",
         M, ["Curie", "Marie Skłodowska-Curie", "Marie Sklodowska-Curie"]),
        ("Who published the first widely recognized periodic table of the elements in 1869?", "Dmitri Mendeleev",
         M, ["Mendeleev", "Mendeleyev", "Dmitri Mendeleyev"]),
        ("Who introduced printing with movable metal type in Europe around 1440?", "Johannes Gutenberg", M,
         ["Gutenberg"]),
        ("Who invented dynamite?", "Alfred Nobel", M, ["Nobel"]),
        ("Who proposed a Sun-centred model of the universe in 'On the Revolutions of the Heavenly Spheres'?",
         "Nicolaus Copernicus", M, ["Copernicus"]),
        ("Which ancient Greek is said to have shouted 'Eureka!' after discovering the principle of buoyancy?",
         "Archimedes", M),
        ("Which inventor, born in 1856 in present-day Croatia, pioneered alternating current motors?",
         "Nikola Tesla", M, ["Tesla"]),
        ("Who developed Morse code together with Alfred Vail?", "Samuel Morse", M, ["Morse"]),
        ("Who developed the first widely used polio vaccine, announced in 1955?", "Jonas Salk", H, ["Salk"]),
        ("Whose improved steam engine with a separate condenser powered the Industrial Revolution?",
         "James Watt", H, ["Watt"]),
        ("Which monk discovered the basic laws of inheritance by breeding pea plants?", "Gregor Mendel", H,
         ["Mendel"]),
        ("Who discovered the electron in 1897?", "J. J. Thomson", H, ["JJ Thomson", "Thomson"]),
        ("Who developed the first successful smallpox vaccine in 1796?", "Edward Jenner", H, ["Jenner"]),
        ("Who discovered X-rays in 1895?", "Wilhelm Röntgen", H, ["Wilhelm Roentgen", "Röntgen", "Roentgen",
                                                                "Rontgen"]),
        ("Who formulated the three laws of planetary motion?", "Johannes Kepler", H, ["Kepler"]),
        ("Which Italian inventor is known for pioneering long-distance radio transmission?", "Guglielmo Marconi",
         H, ["Marconi"]),
    ],
    "art": [
        ("Who painted the 'Mona Lisa'?", "Leonardo da Vinci", E, ["da Vinci", "Leonardo"]),
        ("Who painted 'The Starry Night'?", "Vincent van Gogh", E, ["van Gogh"]),
        ("Who painted the ceiling of the Sistine Chapel?", "Michelangelo", E, ["Michelangelo Buonarroti"]),
        ("Who painted the mural 'The Last Supper' in Milan?", "Leonardo da Vinci", M, ["da Vinci", "Leonardo"]),
        ("Who painted 'Guernica'?", "Pablo Picasso", M, ["Picasso"]),
        ("Who painted 'The Persistence of Memory', with its melting clocks?", "Salvador Dalí", M,
         ["Salvador Dali", "Dalí", "Dali"]),
        ("Who painted 'The Scream'?", "Edvard Munch", M, ["Munch"]),
        ("Which French Impressionist painted the 'Water Lilies' series?", "Claude Monet", M, ["Monet"]),
        ("Which pop artist made the 'Campbell's Soup Cans' works?", "Andy Warhol", M, ["Warhol"]),
        ("Who painted 'Girl with a Pearl Earring'?", "Johannes Vermeer", H, ["Vermeer", "Jan Vermeer"]),
        ("Who painted 'The Night Watch'?", "Rembrandt", H, ["Rembrandt van Rijn"]),
        ("Who painted 'The Birth of Venus'?", "Sandro Botticelli", H, ["Botticelli"]),
        ("Which Austrian painter made 'The Kiss', covered in gold leaf?", "Gustav Klimt", H, ["Klimt"]),
        ("Who painted 'American Gothic'?", "Grant Wood", H),
        ("Who painted 'The Garden of Earthly Delights'?", "Hieronymus Bosch", H, ["Bosch"]),
        ("Which Japanese artist made the woodblock print 'The Great Wave off Kanagawa'?", "Hokusai", H,
         ["Katsushika Hokusai"]),
    ],
    "music": [
        ("Who composed the 'Moonlight Sonata'?", "Ludwig van Beethoven", M, ["Beethoven"]),
        ("Who composed 'The Four Seasons'?", "Antonio Vivaldi", M, ["Vivaldi"]),
        ("Who composed the opera 'The Magic Flute'?", "Wolfgang Amadeus Mozart", M, ["Mozart"]),
        ("Who composed the ballet 'Swan Lake'?", "Pyotr Ilyich Tchaikovsky", M, ["Tchaikovsky"]),
        ("Who composed the Ninth Symphony that ends with the 'Ode to Joy'?", "Ludwig van Beethoven", M,
         ["Beethoven"]),
        ("Who composed 'Eine kleine Nachtmusik'?", "Wolfgang Amadeus Mozart", M, ["Mozart"]),
        ("Who composed the oratorio 'Messiah'?", "George Frideric Handel", H, ["Handel", "Händel"]),
        ("Who composed the waltz 'The Blue Danube'?", "Johann Strauss II", H, ["Johann Strauss", "Strauss"]),
        ("Who composed 'Boléro'?", "Maurice Ravel", H, ["Ravel"]),
        ("Who composed the orchestral suite 'The Planets'?", "Gustav Holst", H, ["Holst"]),
        ("Who composed the opera 'Carmen'?", "Georges Bizet", H, ["Bizet"]),
        ("Who composed the piano piece 'Clair de lune'?", "Claude Debussy", H, ["Debussy"]),
        ("Who composed the four-opera cycle 'The Ring of the Nibelung'?", "Richard Wagner", H, ["Wagner"]),
    ],
    "geography": [
        ("What is the largest ocean on Earth?", "Pacific Ocean", E, ["Pacific"]),
        ("What is the highest mountain on Earth above sea level?", "Mount Everest", E, ["Everest"]),
        ("What is the largest country in the world by area?", "Russia", E, ["Russian Federation"]),
        ("What is the largest continent by area?", "Asia", E),
        ("Which river flows through London?", "River Thames", E, ["Thames"]),
        ("What is the smallest country in the world by area?", "Vatican City", M, ["Vatican", "Holy See"]),
        ("What is the largest hot desert in the world?", "Sahara", M, ["Sahara Desert"]),
        ("What is the largest island in the world that is not a continent?", "Greenland", M),
        ("Which river flows through Paris?", "Seine", M, ["River Seine"]),
        ("Which long river flows through both Vienna and Budapest?", "Danube", M, ["River Danube"]),
        ("In which mountain range is Mount Everest?", "Himalayas", M, ["Himalaya"]),
        ("In which country is Mount Kilimanjaro?", "Tanzania", M),
        ("Which ocean lies between Africa and Australia?", "Indian Ocean", M, ["Indian"]),
        ("Which river carries the most water of any river in the world?", "Amazon", M, ["Amazon River"]),
        ("What is the name of the deepest known ocean trench?", "Mariana Trench", H, ["Marianas Trench"]),
        ("What is the largest lake in the world by surface area?", "Caspian Sea", H, ["Caspian"]),
        ("What is the longest river in Europe?", "Volga", H, ["Volga River"]),
        ("What is the world's tallest uninterrupted waterfall, in Venezuela?", "Angel Falls", H, ["Kerepakupai Merú"]),
        ("What is the largest country in Africa by area?", "Algeria", H),
        ("Which river flows through Rome?", "Tiber", H, ["River Tiber", "Tevere"]),
        ("Which mountain range is traditionally taken as the border between Europe and Asia in Russia?",
         "Ural Mountains", H, ["Urals", "Ural"]),
        ("On which river does Baghdad stand?", "Tigris", H, ["Tigris River"]),
    ],
    "science": [
        ("Which organ pumps blood through the human body?", "heart", E),
        ("Which gas do plants take in from the air to make food by photosynthesis?", "carbon dioxide", E, ["CO2"]),
        ("What is the chemical formula of water?", "H2O", E),
        ("What is the hardest natural material?", "diamond", E, ["diamonds"]),
        ("Which part of the cell is often called its powerhouse?", "mitochondria", E, ["mitochondrion"]),
        ("Which subatomic particle has a negative electric charge?", "electron", E, ["electrons"]),
        ("At what temperature in degrees Celsius does pure water boil at sea level?", "100", E,
         ["100 degrees", "one hundred"]),
        ("What is the largest organ of the human body?", "skin", M),
        ("What is the longest bone in the human body?", "femur", M, ["thigh bone", "thighbone"]),
        ("Which gas makes up most of Earth's atmosphere?", "nitrogen", M, ["N2"]),
        ("Which green pigment lets plants absorb light?", "chlorophyll", M),
        ("Which vitamin does the skin make when exposed to sunlight?", "vitamin D", M),
        ("Which blood cells carry oxygen around the body?", "red blood cells", M,
         ["erythrocytes", "red cells", "red blood cell"]),
        ("How many bones are in the adult human body?", "206", M, ["two hundred and six"]),
        ("What is the study of fungi called?", "mycology", H),
        ("Which gland in the neck makes the hormone thyroxine?", "thyroid", H, ["thyroid gland"]),
        ("What is the chemical formula of table salt?", "NaCl", H, ["sodium chloride"]),
        ("Which particle in an atom's nucleus has no electric charge?", "neutron", M, ["neutrons"]),
    ],
    "animals": [
        ("What is the largest mammal on Earth?", "blue whale", E),
        ("What is the fastest land animal?", "cheetah", E),
        ("What is the tallest living animal?", "giraffe", E),
        ("Which black-and-white bear from China eats mostly bamboo?", "giant panda", E, ["panda"]),
        ("What is the largest living bird?", "ostrich", M, ["common ostrich"]),
        ("Which animal is called the 'ship of the desert'?", "camel", M, ["camels", "dromedary"]),
        ("Which is the only mammal capable of true flight?", "bat", M, ["bats"]),
        ("What is a baby kangaroo called?", "joey", M),
        ("What is a group of lions called?", "pride", M),
        ("Which Australian animal eats almost only eucalyptus leaves?", "koala", M),
        ("What is the largest living reptile?", "saltwater crocodile", H, ["estuarine crocodile"]),
        ("What is the largest species of penguin?", "emperor penguin", H),
        ("What is a group of crows called?", "murder", H),
        ("How many hearts does an octopus have?", "three", H, ["3"]),
    ],
    "language": [
        ("What is the official language of Brazil?", "Portuguese", M),
        ("What is the main language spoken in Argentina?", "Spanish", E, ["Castilian"]),
        ("What is the official language of Egypt?", "Arabic", M),
        ("What is the official language of Iran?", "Persian", H, ["Farsi"]),
        ("What is the official language of Austria?", "German", M),
        ("What is the most widely spoken language in Mexico?", "Spanish", E, ["Castilian"]),
        ("What is the national language of Pakistan?", "Urdu", H),
        ("What is the main official language of Israel?", "Hebrew", M, ["Modern Hebrew"]),
        ("Which language, written in the Ge'ez script, has long been the working language of Ethiopia's federal government?", "Amharic", H),
        ("What is the official language of Suriname?", "Dutch", H),
        ("What is the official language of Mozambique?", "Portuguese", H),
        ("What is the official language of Angola?", "Portuguese", H),
        ("What is the official language of Bangladesh?", "Bengali", H, ["Bangla"]),
        ("What is the official language of the Netherlands?", "Dutch", E),
        ("What is the main language spoken in Chile?", "Spanish", E, ["Castilian"]),
    ],
}


def _build() -> tuple[Fact, ...]:
    facts: list[Fact] = []
    for country, capital, level, *more in _CAPITALS:
        facts.append(_fact(f"capital:{country}", f"What is the capital of {country}?", capital, level,
                           more[0] if more else ()))
    for name, symbol, level, ask_symbol, *more in _ELEMENTS:
        group = f"element:{name}"
        names = more[0] if more else ()
        facts.append(_fact(f"element-name:{name}", f"Which chemical element has the symbol {symbol}?", name,
                           level, names, group))
        if ask_symbol:
            facts.append(_fact(f"element-symbol:{name}", f"What is the chemical symbol for {name}?", symbol,
                               level, (), group))
    by_name = {row[0]: row for row in _ELEMENTS}
    for number, name, level in _ATOMIC_NUMBERS:
        names = by_name[name][4] if len(by_name[name]) > 4 else ()
        facts.append(_fact(f"element-number:{name}", f"Which chemical element has atomic number {number}?",
                           name, level, names, f"element:{name}"))
    for work, author, level, *more in _AUTHORS:
        facts.append(_fact(f"author:{work}", f"Who wrote {work}?", author, level, more[0] if more else ()))
    for country, currency, level, *more in _CURRENCIES:
        facts.append(_fact(f"currency:{country}", f"What is the official currency of {country}?", currency,
                           level, more[0] if more else ()))
    for country, continent, level, *more in _CONTINENTS:
        facts.append(_fact(f"continent:{country}", f"On which continent is the country {country}?", continent,
                           level, more[0] if more else ()))
    for quantity, unit, level, *more in _UNITS:
        facts.append(_fact(f"unit:{quantity}", f"What is the SI unit of {quantity}?", unit, level,
                           more[0] if more else ()))
    for topic, rows in _TOPICS.items():
        for question, answer, level, *more in rows:
            facts.append(_fact(f"{topic}:{question}", question, answer, level, more[0] if more else ()))
    return tuple(facts)


FACTS: tuple[Fact, ...] = _build()
