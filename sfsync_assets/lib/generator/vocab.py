"""Reference data the generated company is built from: countries, names, nicknames, streets, code tables.

Kept as plain tuples (not dicts iterated for order) so every draw indexes a fixed sequence and a seed always
picks the same value. Phone plans are chosen so `phonenumbers` accepts every generated number as valid, and
no national number starts with its country's calling code (that keeps "lost leading zero" detectable from the
data alone).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhonePlan:
    """How one country's numbers look.

    `landlines`/`mobiles` are `area|lead` prefixes of the national significant number (NSN): the area code,
    then the subscriber digits every valid number in that range starts with; the rest is random up to the
    length.
    """

    calling_code: str
    trunk_prefix: str  # "0" where national format starts with a zero that an integer column loses
    landlines: tuple[str, ...]
    landline_length: int
    mobiles: tuple[str, ...]
    mobile_length: int


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2: the canonical form golden records carry
    name: str  # what Salesforce users type into BillingCountry
    aliases: tuple[str, ...]  # other spellings seen in the wild
    currency: str
    language: str
    tld: str
    phone: PhonePlan
    cities: tuple[tuple[str, str, str], ...]  # (city, state/region, postal code pattern: 9 digit, A letter)
    legal_suffixes: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", ("USA", "U.S.A.", "US", "United States of America"), "USD", "en", "com",
            PhonePlan("1", "", ("212|5", "212|7", "312|5", "312|8", "415|5", "415|8", "617|2", "617|4",
                                "713|2",
                                "713|5", "206|2", "206|4", "303|2", "303|6", "404|3", "404|8"), 10,
                      ("917|2", "646|3"), 10),
            (("New York", "NY", "100AA"), ("Chicago", "IL", "606AA"), ("San Francisco", "CA", "941AA"),
             ("Boston", "MA", "021AA"), ("Houston", "TX", "770AA"), ("Seattle", "WA", "981AA"),
             ("Denver", "CO", "802AA"), ("Atlanta", "GA", "303AA")),
            ("Inc.", "LLC", "Corp.", "Co.")),
    Country("GB", "United Kingdom", ("UK", "U.K.", "Great Britain", "England", "GB"), "GBP", "en", "co.uk",
            PhonePlan("44", "0", ("20|7", "20|8", "20|3", "161|2", "161|9", "131|2", "117|2"), 10,
                      ("7|97", "7|71", "7|75"), 10),
            (("London", "", "EC1A 1BB"), ("Manchester", "", "M1 1AE"), ("Edinburgh", "", "EH1 1YZ"),
             ("Bristol", "", "BS1 4DJ")),
            ("Ltd", "PLC", "LLP")),
    Country("DE", "Germany", ("Deutschland", "DE", "GER", "Federal Republic of Germany"), "EUR", "de", "de",
            PhonePlan("49", "0", ("30|", "89|", "40|", "69|"), 10, ("151|", "171|"), 11),
            (("Berlin", "Berlin", "101AA"), ("München", "Bayern", "803AA"), ("Hamburg", "Hamburg", "204AA"),
             ("Frankfurt am Main", "Hessen", "603AA"), ("Köln", "Nordrhein-Westfalen", "506AA")),
            ("GmbH", "AG", "GmbH & Co. KG")),
    Country("FR", "France", ("FR", "République française", "FRA"), "EUR", "fr", "fr",
            PhonePlan("33", "0", ("1|4", "1|5", "4|2", "4|7", "5|5"), 9, ("6|1", "6|2", "6|6", "6|7"), 9),
            (("Paris", "Île-de-France", "750AA"), ("Lyon", "Auvergne-Rhône-Alpes", "690AA"),
             ("Marseille", "Provence-Alpes-Côte d'Azur", "130AA"), ("Toulouse", "Occitanie", "310AA")),
            ("SA", "SAS", "SARL")),
    Country("CA", "Canada", ("CA", "CAN"), "CAD", "en", "ca",
            PhonePlan("1", "", ("416|2", "416|9", "604|2", "604|6", "514|2", "514|8", "403|2", "613|2"), 10,
                      ("647|2",), 10),
            (("Toronto", "ON", "M5V 2T6"), ("Vancouver", "BC", "V6B 1A1"), ("Montréal", "QC", "H2Y 1C6"),
             ("Calgary", "AB", "T2P 1J9")),
            ("Inc.", "Ltd.", "Corp.")),
    Country("AU", "Australia", ("AU", "AUS", "Commonwealth of Australia"), "AUD", "en", "com.au",
            PhonePlan("61", "0", ("2|9", "2|8", "3|9", "3|8", "7|3", "8|7"), 9, ("4|1", "4|2", "4|3"), 9),
            (("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000"),
             ("Perth", "WA", "6000")),
            ("Pty Ltd", "Ltd")),
    Country("IN", "India", ("IN", "IND", "Bharat"), "INR", "hi", "in",
            PhonePlan("91", "0", ("22|2", "22|4", "11|2", "11|4", "80|2", "80|4"), 10,
                      ("98|1", "98|7", "99|1"), 10),
            (("Mumbai", "Maharashtra", "4000AA"), ("New Delhi", "Delhi", "1100AA"),
             ("Bengaluru", "Karnataka", "5600AA")),
            ("Pvt Ltd", "Ltd")),
    Country("BR", "Brazil", ("Brasil", "BR", "BRA"), "BRL", "pt", "com.br",
            PhonePlan("55", "0", ("11|3", "11|4", "21|3", "31|3"), 10, ("11|98", "21|99"), 11),
            (("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-020"),
             ("Belo Horizonte", "MG", "30130-010")),
            ("Ltda.", "S.A.")),
    Country("MX", "Mexico", ("México", "MX", "MEX"), "MXN", "es", "com.mx",
            PhonePlan("52", "", ("55|2", "55|5", "55|8"), 10, ("55|1", "55|6"), 10),
            (("Ciudad de México", "CDMX", "060AA"), ("Guadalajara", "JAL", "441AA"),
             ("Monterrey", "NL", "640AA")),
            ("S.A. de C.V.", "S. de R.L.")),
    Country("JP", "Japan", ("JP", "JPN", "Nippon"), "JPY", "ja", "co.jp",
            PhonePlan("81", "0", ("3|3", "3|5", "6|6", "6|4"), 9, ("90|3", "90|8", "80|3"), 10),
            (("Tokyo", "Tokyo", "100-0005"), ("Osaka", "Osaka", "530-0001"),
             ("Yokohama", "Kanagawa", "220-0012")),
            ("K.K.", "Co., Ltd.")),
    Country("CH", "Switzerland", ("CH", "Schweiz", "Suisse", "Swiss Confederation"), "CHF", "de", "ch",
            PhonePlan("41", "0", ("44|3", "44|6", "22|3", "22|7"), 9, ("79|1", "79|4", "79|7"), 9),
            (("Zürich", "ZH", "80AA"), ("Genève", "GE", "12AA"), ("Bern", "BE", "30AA")),
            ("AG", "SA", "GmbH")),
    Country("SE", "Sweden", ("Sverige", "SE", "SWE"), "SEK", "sv", "se",
            PhonePlan("46", "0", ("8|6", "8|7", "8|4"), 9, ("70|1", "70|7", "70|4"), 9),
            (("Stockholm", "Stockholm", "111 AA"), ("Göteborg", "Västra Götaland", "411 AA"),
             ("Malmö", "Skåne", "211 AA")),
            ("AB",)),
)
COUNTRY_WEIGHTS = (0.34, 0.12, 0.11, 0.07, 0.06, 0.05, 0.05, 0.04, 0.04, 0.04, 0.04, 0.04)
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}

# First names per language: (name, nicknames). Nicknames are what the same person is called in another system.
FIRST_NAMES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "en": (
        ("Robert", ("Bob", "Rob", "Bobby")), ("William", ("Bill", "Will", "Billy")),
        ("Richard", ("Rick", "Dick")),
        ("Elizabeth", ("Liz", "Beth", "Betty")), ("Katherine", ("Kate", "Kathy", "Katie")),
        ("Michael", ("Mike",)), ("James", ("Jim", "Jimmy")), ("Thomas", ("Tom", "Tommy")),
        ("Margaret", ("Maggie", "Peggy")), ("Jennifer", ("Jen", "Jenny")), ("Christopher", ("Chris",)),
        ("Daniel", ("Dan", "Danny")), ("Joseph", ("Joe",)), ("Anthony", ("Tony",)), ("Edward", ("Ed", "Ted")),
        ("Alexander", ("Alex",)), ("Patricia", ("Pat", "Trish")), ("Susan", ("Sue",)),
        ("Deborah", ("Debbie", "Deb")), ("Samantha", ("Sam",)), ("Matthew", ("Matt",)),
        ("Nicholas", ("Nick",)), ("Rebecca", ("Becky",)), ("Andrew", ("Andy", "Drew")), ("Emily", ()),
        ("Olivia", ()), ("Sarah", ()), ("David", ("Dave",)), ("Laura", ()), ("Steven", ("Steve",)),
        ("Zoë", ("Zoe",)), ("Renée", ("Renee",)), ("Siobhán", ()), ("Seán", ("Sean",)),
    ),
    "de": (
        ("Johannes", ("Hans", "Jo")), ("Wolfgang", ("Wolf",)), ("Friedrich", ("Fritz",)), ("Jürgen", ()),
        ("Katharina", ("Kathi",)), ("Stefan", ()), ("Andreas", ("Andi",)), ("Ursula", ("Uschi",)),
        ("Sabine", ()), ("Matthias", ("Matze",)), ("Günther", ()), ("Jörg", ()), ("Anja", ()),
        ("Franziska", ("Franzi",)), ("Maximilian", ("Max",)), ("Sören", ()),
    ),
    "fr": (
        ("François", ()), ("Hélène", ()), ("Jérôme", ()), ("Amélie", ()), ("Frédéric", ("Fred",)),
        ("Stéphane", ()), ("Céline", ()), ("Nicolas", ("Nico",)), ("Camille", ()), ("Benoît", ()),
        ("Élodie", ()), ("Philippe", ()), ("Gaëlle", ()), ("Thierry", ()),
    ),
    "es": (
        ("José", ("Pepe",)), ("Francisco", ("Paco", "Pancho")), ("María", ()), ("Alejandro", ("Alex",)),
        ("Guadalupe", ("Lupe",)), ("Jesús", ("Chuy",)), ("Ramón", ()), ("Sofía", ()), ("Andrés", ()),
        ("Verónica", ("Vero",)), ("Ignacio", ("Nacho",)), ("Lucía", ()),
    ),
    "pt": (
        ("João", ()), ("Antônio", ("Toninho",)), ("Francisco", ("Chico",)), ("Conceição", ()), ("Luís", ()),
        ("Fernanda", ("Nanda",)), ("Sebastião", ()), ("Letícia", ()), ("Gabriel", ("Gabi",)), ("Márcia", ()),
    ),
    "ja": (
        ("Hiroshi", ()), ("Yuki", ()), ("Takashi", ()), ("Akiko", ()), ("Kenji", ()), ("Naoko", ()),
        ("Shōta", ("Shota",)), ("Yūko", ("Yuko",)), ("Daisuke", ()), ("Emi", ()),
    ),
    "sv": (
        ("Björn", ()), ("Åsa", ()), ("Göran", ()), ("Kristina", ("Stina",)), ("Lars", ()), ("Märta", ()),
        ("Fredrik", ("Fredde",)), ("Ingrid", ()), ("Mikael", ("Micke",)), ("Sofia", ()),
    ),
    "hi": (
        ("Rajesh", ("Raj",)), ("Priya", ()), ("Venkatesh", ("Venky",)), ("Lakshmi", ()), ("Suresh", ()),
        ("Ananya", ()), ("Sanjay", ()), ("Deepika", ()), ("Krishnamurthy", ("Krishna",)), ("Aditi", ()),
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
           "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
           "Robinson",
           "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
           "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "O'Brien", "O'Connor",
           "McDonald", "MacLeod", "Fitzgerald", "Hughes", "Murphy", "Kelly", "Price", "Bennett"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
           "Schwarz", "Zimmermann", "Krüger", "Hofmann", "Hartmann", "Lange", "Weiß", "Groß", "Köhler"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre",
           "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet",
           "Rousseau", "Mercier", "Faure", "Chevalier", "Gauthier", "Müller"),
    "es": ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
           "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz",
           "Núñez"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
           "Gomes", "Ribeiro", "Carvalho", "Araújo", "Gonçalves", "Magalhães", "Conceição"),
    "ja": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
           "Kato", "Yoshida", "Yamada", "Sasaki", "Inoue", "Kimura", "Saitō"),
    "sv": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
           "Svensson", "Gustafsson", "Pettersson", "Jönsson", "Lindström", "Bergström", "Åberg", "Sjögren"),
    "hi": ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Menon", "Rao",
           "Venkataraman", "Krishnan", "Chatterjee", "Banerjee", "Desai", "Joshi"),
}

SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
SALUTATION_WEIGHTS = (0.45, 0.38, 0.08, 0.07, 0.02)

# Street vocabulary per language: (base names, (long suffix, abbreviation) pairs, suffix goes before the
# name?)
STREET_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Main", "Oak", "Maple", "Park", "Cedar", "Elm", "Washington", "Lake", "Hill", "Pine", "Church",
           "High", "Station", "Victoria", "King", "Queen", "Mill", "River", "Market", "Bridge"),
    "de": ("Haupt", "Bahnhof", "Schul", "Garten", "Berg", "Kirch", "Linden", "Wald", "Goethe", "Schiller",
           "Industrie", "Markt", "Rosen", "Friedrich"),
    "fr": ("de la République", "Victor Hugo", "de la Paix", "Jean Jaurès", "du Général de Gaulle",
           "Pasteur", "de l'Église", "des Écoles", "Voltaire", "Saint-Honoré"),
    "es": ("Reforma", "Insurgentes", "Juárez", "Hidalgo", "Morelos", "Madero", "Independencia", "Revolución"),
    "pt": ("Paulista", "Brasil", "das Flores", "Rio Branco", "Sete de Setembro", "Augusta", "XV de Novembro"),
    "ja": ("Marunouchi", "Ginza", "Umeda", "Shinjuku", "Nihonbashi", "Minatomirai"),
    "sv": ("Drottning", "Kungs", "Storgatan", "Vasa", "Sveavägen", "Linné", "Birger Jarls"),
    "hi": ("MG", "Nehru", "Gandhi", "Linking", "Residency", "Brigade", "Station"),
}
STREET_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("Street", "St."), ("Avenue", "Ave."), ("Road", "Rd."), ("Boulevard", "Blvd."), ("Lane", "Ln."),
           ("Drive", "Dr.")),
    "de": (("straße", "str."), ("weg", "wg."), ("allee", "al."), ("platz", "pl.")),
    "fr": (("Rue", "R."), ("Avenue", "Av."), ("Boulevard", "Bd")),
    "es": (("Calle", "C."), ("Avenida", "Av."), ("Paseo", "Pº")),
    "pt": (("Rua", "R."), ("Avenida", "Av."), ("Alameda", "Al.")),
    "ja": (("", ""),),  # Japanese addresses have no street-type word
    "sv": (("gatan", "g."), ("vägen", "v.")),
    "hi": (("Road", "Rd."), ("Marg", "Mg."), ("Street", "St.")),
}
# Languages whose street type word comes before the name ("Rue Pasteur", "Avenida Paulista").
SUFFIX_FIRST = frozenset({"fr", "es", "pt"})
# Languages whose street type is glued to the name ("Hauptstraße", "Drottninggatan").
SUFFIX_GLUED = frozenset({"de", "sv"})

COMPANY_STEMS = (
    "Atlas", "Summit", "Pioneer", "Meridian", "Keystone", "Northwind", "Bluewater", "Ironwood", "Silverline",
    "Redwood", "Harbor", "Granite", "Evergreen", "Falcon", "Horizon", "Beacon", "Crescent", "Sterling",
    "Vanguard", "Apex", "Cobalt", "Orion", "Polaris", "Sequoia", "Trident", "Vertex", "Zenith", "Aurora",
    "Cascade", "Delta", "Everest", "Frontier", "Glacier", "Highland", "Juniper", "Lakeside", "Monarch",
    "Nordic", "Oakridge", "Pinnacle", "Quantum", "Riverside", "Sapphire", "Titan", "Unity", "Westbrook",
)
# Industry (Salesforce Account.Industry value), the ERP's code for it, and nouns companies of it call
# themselves.
INDUSTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Manufacturing", "MFG", ("Manufacturing", "Industries", "Fabrication", "Components")),
    ("Technology", "TECH", ("Systems", "Software", "Technologies", "Labs")),
    ("Transportation", "TRN", ("Logistics", "Freight", "Transport")),
    ("Retail", "RET", ("Stores", "Retail", "Outfitters")),
    ("Healthcare", "HLTH", ("Health", "Medical", "Clinics")),
    ("Energy", "ENGY", ("Energy", "Power", "Renewables")),
    ("Construction", "CONS", ("Builders", "Construction", "Contractors")),
    ("Food & Beverage", "F&B", ("Foods", "Beverages", "Provisions")),
    ("Chemicals", "CHEM", ("Chemicals", "Polymers", "Coatings")),
    ("Finance", "FIN", ("Capital", "Financial", "Partners")),
    ("Machinery", "MACH", ("Machinery", "Equipment", "Tools")),
    ("Electronics", "ELEC", ("Electronics", "Devices", "Circuits")),
)
# Values found in the wild for Industry that are not on the picklist: what validation must catch.
INVALID_INDUSTRIES = ("Manufactoring", "Tech", "IT Services", "Logistic", "Food and Bev")

PAYMENT_TERMS = (("NT15", "Net 15"), ("NT30", "Net 30"), ("NT45", "Net 45"), ("NT60", "Net 60"),
                 ("PREP", "Prepaid"))
PAYMENT_TERM_WEIGHTS = (0.1, 0.5, 0.15, 0.15, 0.1)
INVALID_PAYMENT_TERMS = ("NT31", "N30", "Net 90", "COD", "30 days")
CREDIT_RATINGS = ("A", "B", "C", "D")
CREDIT_RATING_WEIGHTS = (0.35, 0.4, 0.18, 0.07)
CARRIERS = (("DHL", "DHL Express"), ("UPS", "UPS"), ("FDX", "FedEx"), ("KN", "Kuehne + Nagel"),
            ("DSV", "DSV"), ("DBS", "DB Schenker"), ("MSK", "Maersk"))
INCOTERMS = ("EXW", "FCA", "FOB", "CIF", "DAP", "DDP")

# ERP role codes (free text typed by clerks over 20 years) and the Title they stand for.
ROLE_CODES = (
    ("Acct Mgr", "Account Manager"), ("Purch.", "Purchasing Manager"), ("CEO", "Chief Executive Officer"),
    ("CFO", "Chief Financial Officer"), ("AP Clerk", "Accounts Payable Clerk"),
    ("Ops Mgr", "Operations Manager"), ("IT Dir", "IT Director"), ("Buyer", "Buyer"),
    ("Log. Coord", "Logistics Coordinator"), ("Ctrlr", "Controller"),
)
DEPARTMENT_BY_TITLE = {
    "Account Manager": "Sales", "Purchasing Manager": "Procurement", "Chief Executive Officer": "Executive",
    "Chief Financial Officer": "Finance", "Accounts Payable Clerk": "Finance",
    "Operations Manager": "Operations", "IT Director": "IT", "Buyer": "Procurement",
    "Logistics Coordinator": "Operations", "Controller": "Finance",
}

ACCOUNT_TYPES_CUSTOMER = ("Customer - Direct", "Customer - Channel")
RATINGS = ("Hot", "Warm", "Cold")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Webinar",
                "Other")
INVALID_LEAD_SOURCES = ("Website", "Tradeshow", "Referral", "LinkedIn", "web")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                 "Closed - Not Converted")
LEAD_STATUS_WEIGHTS = (0.35, 0.35, 0.1, 0.2)
INVALID_LEAD_STATUSES = ("Contacted", "New", "Qualified", "Open", "Dead")
LEAD_INDUSTRIES = ("Agriculture", "Banking", "Construction", "Education", "Energy", "Finance", "Healthcare",
                   "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Transportation",
                   "Other")
OPEN_STAGES = (("Prospecting", 10), ("Qualification", 20), ("Needs Analysis", 30), ("Value Proposition", 40),
               ("Id. Decision Makers", 50), ("Perception Analysis", 60), ("Proposal/Price Quote", 75),
               ("Negotiation/Review", 90))
INVALID_STAGES = ("Closed - Won", "Won", "Proposal", "Negotiation")
OPPORTUNITY_TYPES = ("Existing Customer - Upgrade", "Existing Customer - Replacement",
                     "Existing Customer - Downgrade", "New Customer")
PRODUCTS = ("Annual Supply Agreement", "Spare Parts", "Service Contract", "Pilot Order", "Framework Deal",
            "Replacement Units", "Expansion", "Renewal")

# Mailbox providers a person's address moves to when they stop using the company domain.
PERSONAL_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "gmx.de", "orange.fr", "web.de")
USER_DEPARTMENTS = ("Sales", "Sales", "Sales", "Customer Success", "Sales Operations")
USER_TITLES = ("Account Executive", "Sales Manager", "Customer Success Manager", "Sales Development Rep",
               "Regional Director")
