"""What the generated partners of the large seed (seed/partners.py) are made of: the region's towns, how
employers of each sector are named, how common each sector is among a university's partners, and the
departments of the sectors the eight named employers do not cover."""

from __future__ import annotations

TOWNS = [
    "Northbridge", "Eastholme", "Harbourside", "Kingsmere", "Millbrook", "Westfield", "Riverside", "Ashby Vale",
    "Fenwick", "Oakhurst", "Thornbury", "Carrow", "Bramley", "Alderton", "Sandmoor", "Greyford", "Hollins",
    "Larkhill", "Redbank", "Stonebridge", "Willowby", "Elmstead", "Fairhaven", "Coldwater", "Brackenfield",
    "Highcliffe", "Lowther", "Marsden", "Pennington", "Quarry Bank",
]

NAME_ENDINGS: dict[str, list[str]] = {
    "Healthcare": ["Community Health Trust", "Care Group", "Medical Group", "Hospice", "Dental Partners",
                   "Mental Health Trust", "Pharmacy Group"],
    "Financial services": ["Building Society", "Insurance", "Capital Partners", "Credit Union",
                           "Wealth Management", "Mutual"],
    "Public administration": ["District Council", "Borough Council", "Fire & Rescue Service",
                              "Combined Authority", "Parish Services"],
    "Transport and logistics": ["Freight", "Buses", "Haulage", "Rail Services", "Couriers", "Port Services"],
    "Manufacturing": ["Engineering", "Foods", "Precision", "Plastics", "Textiles", "Aerospace Components",
                      "Packaging"],
    "Retail": ["Stores", "Co-operative", "Home & Garden", "Outfitters", "Pharmacy", "Motors"],
    "Energy and utilities": ["Water", "Power", "Renewables", "Gas Networks", "Solar"],
    "Software": ["Digital", "Analytics", "Labs", "Systems", "Cloud", "Games"],
    "Education": ["Academy Trust", "College", "Schools Partnership", "Sixth Form College"],
    "Construction": ["Construction", "Builders", "Civil Engineering", "Homes"],
    "Hospitality": ["Hotels", "Leisure", "Catering", "Inns"],
    "Professional services": ["Legal LLP", "Consulting", "Accountants", "Architects", "Surveyors"],
    "Charity and housing": ["Housing Association", "Foundation", "Community Trust", "Care Charity"],
}

# Relative frequency among the generated partners.
SECTOR_WEIGHTS: dict[str, float] = {
    "Healthcare": 12, "Financial services": 8, "Public administration": 10, "Transport and logistics": 8,
    "Manufacturing": 12, "Retail": 8, "Energy and utilities": 4, "Software": 10, "Education": 8,
    "Construction": 7, "Hospitality": 5, "Professional services": 8, "Charity and housing": 6,
}

_FINANCE = ("Finance", 5, "fin", "Finance Director", "Finance Manager",
            ["Management Accountant", "Finance Officer", "Payroll Officer"])
_PEOPLE = ("People & HR", 4, "people", "HR Director", "HR Business Partner",
           ["HR Advisor", "Recruitment Officer", "Learning & Development Officer"])
_IT = ("IT", 5, "tech", "Head of IT", "IT Manager", ["Service Desk Analyst", "Systems Analyst", "Data Analyst"])

# (name, share, track, head title, team lead title, staff titles), as seed/organisations.DEPARTMENTS.
_EXTRA: dict[str, list[tuple]] = {
    "Education": [
        ("Teaching", 50, "gen", "Principal", "Head of Department", ["Teacher", "Lecturer", "Teaching Assistant"]),
        ("Student Services", 12, "cx", "Head of Student Services", "Student Services Manager",
         ["Student Adviser", "Careers Adviser", "Wellbeing Officer"]),
        ("Estates", 8, "ops", "Director of Estates", "Facilities Manager", ["Caretaker", "Technician"]),
        _IT, _FINANCE, _PEOPLE,
    ],
    "Construction": [
        ("Site Operations", 45, "ops", "Operations Director", "Site Manager",
         ["Site Supervisor", "Plant Operator", "Bricklayer", "Electrician"]),
        ("Commercial", 10, "fin", "Commercial Director", "Commercial Manager", ["Quantity Surveyor", "Estimator"]),
        ("Design & Engineering", 12, "tech", "Technical Director", "Design Manager",
         ["Civil Engineer", "BIM Coordinator", "Structural Engineer"]),
        ("Health & Safety", 5, "ops", "Head of Health & Safety", "SHE Manager", ["Health & Safety Advisor"]),
        _FINANCE, _PEOPLE,
    ],
    "Hospitality": [
        ("Front of House", 35, "cx", "Operations Director", "General Manager",
         ["Receptionist", "Waiter", "Bar Supervisor"]),
        ("Kitchens", 30, "ops", "Executive Chef", "Head Chef", ["Chef de Partie", "Commis Chef", "Kitchen Porter"]),
        ("Housekeeping", 15, "ops", "Head of Housekeeping", "Housekeeping Supervisor", ["Room Attendant"]),
        ("Sales & Events", 8, "cx", "Head of Sales", "Events Manager", ["Events Coordinator", "Sales Executive"]),
        _FINANCE, _PEOPLE,
    ],
    "Professional services": [
        ("Client Services", 45, "gen", "Managing Partner", "Partner",
         ["Associate", "Senior Associate", "Consultant", "Trainee"]),
        ("Business Development", 8, "cx", "Head of Business Development", "Business Development Manager",
         ["Bid Writer", "Marketing Executive"]),
        ("Knowledge & Data", 6, "data", "Head of Knowledge", "Knowledge Manager", ["Data Analyst", "Researcher"]),
        _IT, _FINANCE, _PEOPLE,
    ],
    "Charity and housing": [
        ("Housing & Support", 40, "care", "Director of Housing", "Support Manager",
         ["Support Worker", "Housing Officer", "Care Assistant"]),
        ("Fundraising", 10, "cx", "Director of Fundraising", "Fundraising Manager",
         ["Fundraiser", "Supporter Care Officer"]),
        ("Property Services", 15, "ops", "Head of Property", "Repairs Manager", ["Repairs Operative", "Surveyor"]),
        _IT, _FINANCE, _PEOPLE,
    ],
}


def extra_departments(sector: str) -> list[tuple]:
    return _EXTRA[sector]
