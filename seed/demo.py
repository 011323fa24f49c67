"""Deterministic demo and benchmark data.

``seed_database(engine, employees=N, seed=S, today=D)`` writes one university
(Northbridge University), eight employer partners of different sizes and
sectors, a skills vocabulary, a catalogue of micro-credentials with learning
outcomes, skills, co-designing partners and pathways, cohorts over the last
eight quarters, enrollments with realistic outcomes, skill assessments, PDPs
with goals, outcome surveys, the demo users (``DEMO_USERS``), one audit event
and the data version row, then rebuilds the summary tables (``db.summaries``).

Everything is drawn from one ``random.Random(seed)`` and dated relative to
``today``: the same seed and day give byte-identical data (``digest`` checks
that). Timestamps in the data (``created_at``/``updated_at``) are derived from
the data's own dates, not the wall clock; only the audit event's
``occurred_at`` and the data version's ``updated_at`` record when the seed ran.

Rows are generated as plain dicts with ids assigned here and written with
SQLAlchemy Core ``executemany`` in chunks, in one transaction, so 250,000
employees (about a million enrollments) take minutes, not hours. The same code
runs on SQLite and PostgreSQL; on PostgreSQL the id sequences are moved past
the ids written here so later ORM inserts work.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from bisect import bisect_right, insort
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from itertools import accumulate

from sqlalchemy import DateTime, Engine, bindparam, func, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from db import summaries
from db.models import (
    AppUser,
    AssessmentSource,
    AuditEvent,
    Cohort,
    Approval,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    DataVersion,
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    LearningOutcome,
    Organization,
    OrgKind,
    OutcomeSurvey,
    Partnership,
    PartnershipStatus,
    Pathway,
    PathwayStep,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    PdpStatus,
    Role,
    Skill,
    SkillAssessment,
    Sponsor,
    metadata,
)
from services.enrollments import record_problems

CHUNK = 10_000  # rows per executemany
SQLITE_CACHE_KIB = 256 * 1024  # page cache while seeding (SQLite only), restored afterwards
QUARTERS = 8  # cohorts run over the current quarter and the seven before it
ENROLLMENTS_PER_EMPLOYEE = 4.0  # target average over the whole window

S = EnrollmentStatus
G = PdpGoalStatus
# Plain strings in the hot loop (enum attribute access is slow at a million rows).
_ENROLLED, _IN_PROGRESS, _COMPLETED, _FAILED, _WITHDRAWN = (
    S.enrolled.value, S.in_progress.value, S.completed.value, S.failed.value, S.withdrawn.value)
_SPONSOR_EMPLOYER, _SPONSOR_EMPLOYEE, _SPONSOR_FUND, _SPONSOR_UNIVERSITY = (
    Sponsor.employer.value, Sponsor.employee.value, Sponsor.public_fund.value, Sponsor.university.value)
_GOAL_PLANNED, _GOAL_IN_PROGRESS, _GOAL_ACHIEVED, _GOAL_DROPPED = (
    G.planned.value, G.in_progress.value, G.achieved.value, G.dropped.value)

# --- Organisations -------------------------------------------------------------

UNIVERSITY = {
    "code": "NBU",
    "name": "Northbridge University",
    "sector": "Higher education",
    "domain": "northbridge.ac.uk",
}

# code, name, sector, share of employees, email domain, locations (first = HQ),
# share of employees who take skills assessments, partnership status.
EMPLOYERS: list[dict] = [
    dict(code="RHT", name="Riverside Hospitals Trust", sector="Healthcare", weight=0.35,
         domain="riversidehospitals.org.uk", assess=0.55, status="active",
         locations=["Riverside General Hospital", "Northbridge Royal Infirmary", "Kingsmere Community Hospital",
                    "Ashby Vale Health Centre"]),
    dict(code="HVB", name="Harbour & Vale Bank", sector="Financial services", weight=0.20,
         domain="harbourvale.co.uk", assess=0.70, status="active",
         locations=["Northbridge (Head Office)", "Eastholme Operations Centre", "Harbourside", "Kingsmere"]),
    dict(code="NCC", name="Northbridge City Council", sector="Public administration", weight=0.13,
         domain="northbridgecouncil.gov.uk", assess=0.35, status="active",
         locations=["Civic Centre", "Eastholme Depot", "Millbrook Hub"]),
    dict(code="KLG", name="Kestrel Logistics", sector="Transport and logistics", weight=0.11,
         domain="kestrel-logistics.co.uk", assess=0.30, status="active",
         locations=["Northbridge Distribution Park", "Eastholme Hub", "Port of Harbourside", "Millbrook Depot"]),
    dict(code="ADM", name="Ardent Manufacturing", sector="Manufacturing", weight=0.09,
         domain="ardent-mfg.co.uk", assess=0.45, status="active",
         locations=["Westfield Works", "Kingsmere Plant"]),
    dict(code="CMR", name="Cormorant Retail", sector="Retail", weight=0.06,
         domain="cormorantretail.co.uk", assess=0.25, status="paused",
         locations=["Store Support Centre", "Northbridge High Street", "Riverside Shopping Centre",
                    "Eastholme Retail Park"]),
    dict(code="TWE", name="Tidewater Energy", sector="Energy and utilities", weight=0.035,
         domain="tidewater-energy.co.uk", assess=0.50, status="active",
         locations=["Harbourside Control Centre", "Millbrook Substation Yard"]),
    dict(code="BSW", name="Brightsparrow Software", sector="Software", weight=0.025,
         domain="brightsparrow.io", assess=0.65, status="active",
         locations=["Northbridge Innovation Quarter", "Remote"]),
]

# --- Departments ---------------------------------------------------------------
# (name, share, track, head title, team lead title, staff titles). The track
# steers which credentials and skills people in the department go for.


def _dept(name, weight, track, head, lead, titles):
    return (name, weight, track, head, lead, titles)


_FINANCE = _dept("Finance", 5, "fin", "Finance Director", "Finance Manager",
                 ["Management Accountant", "Finance Officer", "Financial Analyst", "Payroll Officer"])
_HR = _dept("People & HR", 4, "people", "HR Director", "HR Business Partner",
            ["HR Advisor", "Recruitment Officer", "Learning & Development Officer"])
_HSE = _dept("Health & Safety", 3, "ops", "Head of Health & Safety", "SHE Manager",
             ["Health & Safety Advisor", "Environmental Advisor"])
_CUSTOMER = _dept("Customer Service", 10, "cx", "Head of Customer Service", "Customer Service Team Leader",
                  ["Customer Service Adviser", "Account Coordinator", "Complaints Handler"])

DEPARTMENTS: dict[str, list[tuple]] = {
    "Healthcare": [
        _dept("Nursing & Midwifery", 32, "care", "Director of Nursing", "Ward Manager",
              ["Staff Nurse", "Senior Staff Nurse", "Healthcare Assistant", "Midwife"]),
        _dept("Emergency Medicine", 9, "care", "Clinical Director, Emergency Medicine", "Consultant",
              ["Emergency Nurse Practitioner", "Specialty Doctor", "Paramedic Practitioner"]),
        _dept("Surgery", 12, "care", "Clinical Director, Surgery", "Theatre Manager",
              ["Theatre Practitioner", "Surgical Care Practitioner", "Specialty Registrar"]),
        _dept("Pharmacy", 5, "care", "Chief Pharmacist", "Lead Pharmacist",
              ["Clinical Pharmacist", "Pharmacy Technician"]),
        _dept("Radiology", 6, "care", "Head of Imaging", "Lead Radiographer",
              ["Diagnostic Radiographer", "Sonographer", "Imaging Assistant"]),
        _dept("Digital & IT", 6, "tech", "Chief Information Officer", "IT Service Manager",
              ["Clinical Systems Analyst", "Service Desk Analyst", "Infrastructure Engineer", "Data Analyst"]),
        _dept("Estates & Facilities", 10, "ops", "Director of Estates", "Facilities Supervisor",
              ["Porter", "Maintenance Technician", "Domestic Assistant"]),
        _FINANCE,
        _dept("People & Workforce", 4, "people", "Director of People", "HR Business Partner",
              ["HR Advisor", "Workforce Planner", "Learning & Development Officer"]),
    ],
    "Financial services": [
        _dept("Retail Banking", 25, "cx", "Head of Retail Banking", "Branch Manager",
              ["Customer Adviser", "Personal Banker", "Mortgage Adviser"]),
        _dept("Commercial Banking", 12, "fin", "Head of Commercial Banking", "Relationship Director",
              ["Relationship Manager", "Credit Analyst", "Associate"]),
        _dept("Risk & Compliance", 12, "fin", "Chief Risk Officer", "Compliance Manager",
              ["Risk Analyst", "Compliance Officer", "Financial Crime Investigator"]),
        _dept("Technology", 18, "tech", "Chief Technology Officer", "Engineering Manager",
              ["Software Engineer", "Cloud Engineer", "Security Analyst", "Business Analyst"]),
        _dept("Data & Analytics", 7, "data", "Chief Data Officer", "Analytics Manager",
              ["Data Analyst", "Data Scientist", "Data Engineer"]),
        _dept("Operations", 14, "ops", "Head of Operations", "Operations Team Leader",
              ["Operations Analyst", "Payments Officer", "Process Improvement Analyst"]),
        _FINANCE,
        _HR,
    ],
    "Public administration": [
        _dept("Adult Social Care", 20, "care", "Director of Adult Social Care", "Team Manager",
              ["Social Worker", "Care Coordinator", "Occupational Therapist"]),
        _dept("Children's Services", 18, "care", "Director of Children's Services", "Practice Manager",
              ["Children's Social Worker", "Family Support Worker", "Education Welfare Officer"]),
        _dept("Housing", 12, "cx", "Head of Housing", "Housing Team Leader",
              ["Housing Officer", "Tenancy Sustainment Officer", "Lettings Officer"]),
        _dept("Planning & Regeneration", 8, "gen", "Head of Planning", "Principal Planner",
              ["Planning Officer", "Regeneration Officer", "Building Control Surveyor"]),
        _dept("Environmental Services", 16, "ops", "Head of Environmental Services", "Operations Supervisor",
              ["Environmental Health Officer", "Waste Services Operative", "Parks Officer"]),
        _dept("Revenues & Benefits", 10, "fin", "Head of Revenues & Benefits", "Benefits Team Leader",
              ["Benefits Assessor", "Revenues Officer", "Customer Services Officer"]),
        _dept("Digital Services", 6, "tech", "Head of Digital", "Digital Delivery Manager",
              ["Systems Analyst", "Data Analyst", "Service Designer", "Infrastructure Engineer"]),
        _FINANCE,
        _HR,
    ],
    "Transport and logistics": [
        _dept("Warehouse Operations", 35, "ops", "Head of Warehouse Operations", "Shift Manager",
              ["Warehouse Operative", "Forklift Driver", "Stock Controller"]),
        _dept("Transport Planning", 10, "ops", "Head of Transport", "Transport Manager",
              ["Transport Planner", "Route Planner", "Traffic Clerk"]),
        _dept("Fleet & Drivers", 25, "ops", "Fleet Director", "Fleet Supervisor",
              ["HGV Driver", "Van Driver", "Fleet Technician"]),
        _CUSTOMER,
        _HSE,
        _dept("IT & Systems", 6, "tech", "Head of IT", "IT Manager",
              ["Systems Analyst", "WMS Support Analyst", "Data Analyst", "Network Engineer"]),
        _FINANCE,
    ],
    "Manufacturing": [
        _dept("Production", 35, "ops", "Production Director", "Production Supervisor",
              ["Production Operative", "Machine Operator", "Assembly Technician"]),
        _dept("Quality Assurance", 10, "ops", "Head of Quality", "Quality Manager",
              ["Quality Inspector", "Quality Engineer"]),
        _dept("Engineering", 14, "tech", "Engineering Director", "Engineering Manager",
              ["Mechanical Engineer", "Electrical Engineer", "Automation Engineer"]),
        _dept("Maintenance", 10, "ops", "Maintenance Manager", "Maintenance Supervisor",
              ["Maintenance Technician", "Multi-skilled Engineer"]),
        _dept("Supply Chain", 10, "ops", "Head of Supply Chain", "Planning Manager",
              ["Buyer", "Production Planner", "Logistics Coordinator"]),
        _dept("Research & Development", 8, "data", "Head of R&D", "R&D Manager",
              ["Research Scientist", "Product Development Engineer", "Data Analyst"]),
        _HSE,
        _FINANCE,
    ],
    "Retail": [
        _dept("Stores", 55, "cx", "Retail Director", "Store Manager",
              ["Sales Assistant", "Customer Assistant", "Assistant Store Manager", "Visual Merchandiser"]),
        _dept("E-commerce", 8, "tech", "Head of E-commerce", "Digital Trading Manager",
              ["Web Developer", "Digital Marketing Executive", "Data Analyst"]),
        _dept("Buying & Merchandising", 8, "data", "Head of Buying", "Senior Buyer",
              ["Buyer", "Merchandiser", "Allocator"]),
        _dept("Distribution", 15, "ops", "Head of Distribution", "Distribution Centre Manager",
              ["Warehouse Operative", "Stock Controller", "Delivery Driver"]),
        _CUSTOMER,
        _dept("Marketing", 4, "cx", "Marketing Director", "Marketing Manager",
              ["Marketing Executive", "CRM Analyst"]),
        _FINANCE,
    ],
    "Energy and utilities": [
        _dept("Network Operations", 20, "ops", "Director of Network Operations", "Control Room Manager",
              ["Control Engineer", "Network Planner", "Outage Coordinator"]),
        _dept("Field Engineering", 30, "ops", "Head of Field Operations", "Field Team Leader",
              ["Field Engineer", "Craftsperson", "Cable Jointer"]),
        _dept("Renewables", 12, "tech", "Head of Renewables", "Project Manager",
              ["Project Engineer", "Asset Engineer", "Environmental Consultant"]),
        _dept("Customer Operations", 15, "cx", "Head of Customer Operations", "Customer Team Leader",
              ["Customer Service Adviser", "Metering Analyst", "Complaints Handler"]),
        _dept("Data & Analytics", 8, "data", "Head of Data & Analytics", "Analytics Manager",
              ["Data Analyst", "Data Scientist", "Data Engineer"]),
        _HSE,
        _FINANCE,
    ],
    "Software": [
        _dept("Engineering", 40, "tech", "VP Engineering", "Engineering Manager",
              ["Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "QA Engineer"]),
        _dept("Product", 10, "gen", "VP Product", "Group Product Manager",
              ["Product Manager", "Product Analyst"]),
        _dept("Data", 10, "data", "Head of Data", "Data Science Lead",
              ["Data Scientist", "Data Engineer", "Analytics Engineer"]),
        _dept("Design", 6, "cx", "Head of Design", "Design Lead",
              ["Product Designer", "UX Researcher"]),
        _dept("Customer Success", 14, "cx", "VP Customer Success", "Customer Success Team Lead",
              ["Customer Success Manager", "Support Engineer", "Implementation Consultant"]),
        _dept("Sales & Marketing", 14, "cx", "Chief Revenue Officer", "Sales Manager",
              ["Account Executive", "Sales Development Representative", "Marketing Manager"]),
        _dept("People & Operations", 6, "people", "Head of People", "People Partner",
              ["People Advisor", "Office Manager", "Finance Analyst"]),
    ],
}

FIRST_NAMES = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Sophia", "Grace", "Lily", "Freya", "Emily", "Ella", "Poppy",
    "Charlotte", "Evie", "Sienna", "Daisy", "Hannah", "Chloe", "Lucy", "Zara", "Aisha", "Fatima", "Maryam",
    "Priya", "Ananya", "Mei", "Yuki", "Chiamaka", "Ngozi", "Amara", "Siobhan", "Niamh", "Ffion", "Catrin",
    "Eilidh", "Zofia", "Agnieszka", "Elena", "Sofia", "Leah", "Rachel", "Sarah", "Laura", "Claire", "Helen",
    "Joanne", "Karen", "Susan", "Margaret", "Patricia",
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Charlie", "Jacob", "Thomas",
    "William", "James", "Henry", "Alfie", "Freddie", "Theo", "Samuel", "Daniel", "Joseph", "Muhammad", "Ali",
    "Omar", "Yusuf", "Ibrahim", "Arjun", "Rohan", "Vikram", "Wei", "Hiroshi", "Chinedu", "Kwame", "Tunde",
    "Declan", "Ciaran", "Rhys", "Dylan", "Callum", "Fraser", "Piotr", "Tomasz", "Andrei", "Mateo", "David",
    "Michael", "Paul", "Mark", "Stephen", "Andrew", "Richard",
]
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Ahmed", "Hussain", "Ali", "Shah", "Singh", "Kaur", "Sharma", "Begum", "Chen", "Wang", "Li",
    "Nguyen", "Okafor", "Adeyemi", "Mensah", "Osei", "Mwangi", "O'Brien", "Murphy", "Kelly", "Byrne",
    "MacDonald", "Campbell", "Stewart", "Morgan", "Hughes", "Lewis", "Price", "Kowalski", "Nowak",
    "Popescu", "Silva", "Rossi", "Garcia", "Martin", "Harris", "Cooper", "King", "Lee", "Baker", "Hill",
    "Ward", "Turner", "Carter", "Phillips", "Mitchell", "Parker", "Edwards", "Collins", "Stevens", "Bennett",
    "Cook", "Bailey", "Bell", "Shaw", "Fletcher", "Marsh", "Holt", "Chapman", "Ellis", "Webb", "Reid",
    "Fraser", "Barker", "Hart", "Day", "Foster", "Lawrence", "Knight", "Mason", "Burton", "Dixon", "Palmer",
    "Hunt", "Grant", "Fox", "Rahman", "Iqbal",
]

# --- Skills --------------------------------------------------------------------
# Labels and categories follow ESCO skills. The URIs are ILLUSTRATIVE: they have
# the shape of ESCO skill URIs but are uuid5 values derived from the label, not
# real ESCO identifiers. Replace them with the real ones before relying on them.

SKILLS: list[tuple[str, str]] = [
    ("analyse big data", "Data & analytics"),
    ("perform data analysis", "Data & analytics"),
    ("perform data cleansing", "Data & analytics"),
    ("apply statistical analysis techniques", "Data & analytics"),
    ("create data models", "Data & analytics"),
    ("deliver visual presentation of data", "Data & analytics"),
    ("use spreadsheets software", "Data & analytics"),
    ("use query languages", "Data & analytics"),
    ("utilise machine learning", "Data & analytics"),
    ("manage data", "Data & analytics"),
    ("manage cloud infrastructure", "Digital & cloud"),
    ("deploy cloud resource", "Digital & cloud"),
    ("automate cloud tasks", "Digital & cloud"),
    ("use scripting programming", "Digital & cloud"),
    ("computer programming", "Digital & cloud"),
    ("apply DevOps practices", "Digital & cloud"),
    ("apply cybersecurity principles", "Cybersecurity"),
    ("identify ICT security risks", "Cybersecurity"),
    ("manage IT security compliances", "Cybersecurity"),
    ("respond to incidents in cloud", "Cybersecurity"),
    ("protect personal data and privacy", "Cybersecurity"),
    ("lead a team", "Leadership & management"),
    ("manage staff", "Leadership & management"),
    ("coach employees", "Leadership & management"),
    ("manage organisational change", "Leadership & management"),
    ("think strategically", "Leadership & management"),
    ("give constructive feedback", "Leadership & management"),
    ("motivate employees", "Leadership & management"),
    ("use e-health and mobile health technologies", "Health & care"),
    ("manage healthcare users' data", "Health & care"),
    ("apply evidence-based practice", "Health & care"),
    ("interpret financial statements", "Finance"),
    ("manage budgets", "Finance"),
    ("prepare cost benefit analysis reports", "Finance"),
    ("implement continuous improvement", "Operations & supply chain"),
    ("analyse supply chain strategies", "Operations & supply chain"),
    ("forecast demand", "Operations & supply chain"),
    ("optimise logistics processes", "Operations & supply chain"),
    ("perform project management", "Project management"),
    ("use agile project management", "Project management"),
    ("perform risk analysis", "Project management"),
    ("present reports", "Communication & customer"),
    ("write work-related reports", "Communication & customer"),
    ("manage customer experience", "Communication & customer"),
    ("communicate with customers", "Communication & customer"),
    ("report on environmental issues", "Sustainability"),
    ("promote sustainability", "Sustainability"),
]

ESCO_NAMESPACE = uuid.UUID("6f1c3e1a-3a1b-4d3e-9a55-8f0f6a0d1e21")  # fixed: URIs stay stable


def esco_uri(label: str) -> str:
    """An ESCO-shaped URI for a skill label (illustrative, see SKILLS)."""
    return f"http://data.europa.eu/esco/skill/{uuid.uuid5(ESCO_NAMESPACE, label)}"


# Which skill categories each department track develops in PDP goals.
TRACK_CATEGORIES: dict[str, list[str]] = {
    "tech": ["Digital & cloud", "Cybersecurity", "Data & analytics"],
    "data": ["Data & analytics", "Communication & customer"],
    "care": ["Health & care", "Communication & customer", "Data & analytics"],
    "fin": ["Finance", "Data & analytics", "Project management"],
    "ops": ["Operations & supply chain", "Project management", "Sustainability"],
    "cx": ["Communication & customer", "Data & analytics"],
    "people": ["Leadership & management", "Communication & customer"],
    "gen": ["Project management", "Communication & customer", "Data & analytics"],
    "lead": ["Leadership & management", "Finance", "Project management"],
}

# --- Credentials ---------------------------------------------------------------
# first_q/last_q: the quarters (0 = seven quarters ago, 7 = current) with cohorts.
# pop: base popularity; fail: share failing among finished; tracks: departments
# (and "lead" for managers) for which the credential is especially relevant.

CREDENTIALS: list[dict] = [
    dict(code="MC-DATA-101", title="Data Analytics Foundations", eqf=5, ects="5.0", mode="online", price=950,
         status="published", version=2, first_q=0, last_q=7, pop=1.6, fail=0.09, tracks=["data", "fin", "gen", "cx"],
         summary="Turn everyday workplace data into evidence for decisions: cleaning spreadsheets, "
                 "summarising with pivot tables, and presenting findings that colleagues act on.",
         outcomes=["Clean and structure tabular data from operational systems for analysis.",
                   "Summarise data with descriptive statistics and pivot tables.",
                   "Choose a chart that answers a business question and explain it to non-specialists.",
                   "Document data sources and limitations so that analyses can be repeated."],
         skills=[("use spreadsheets software", 3), ("perform data cleansing", 3),
                 ("perform data analysis", 2), ("deliver visual presentation of data", 2)],
         partners=["HVB", "NCC"]),
    dict(code="MC-DATA-201", title="Applied Data Analysis with Python", eqf=6, ects="5.0", mode="blended",
         price=1200, status="published", version=3, first_q=0, last_q=7, pop=1.0, fail=0.12,
         tracks=["data", "tech"],
         summary="Analyse real organisational datasets with Python and SQL: reproducible notebooks, "
                 "joins across sources, statistical testing and clear reporting.",
         outcomes=["Query relational data with SQL, including joins and aggregation.",
                   "Write reproducible Python notebooks that load, clean and reshape data.",
                   "Apply appropriate statistical tests and interpret their results with care.",
                   "Communicate an analysis, its assumptions and its uncertainty in a short report.",
                   "Review a colleague's analysis for errors and reproducibility."],
         skills=[("perform data analysis", 4), ("use query languages", 3),
                 ("apply statistical analysis techniques", 3), ("computer programming", 2)],
         partners=["HVB", "BSW"]),
    dict(code="MC-DATA-301", title="Machine Learning for Business", eqf=7, ects="7.5", mode="online",
         price=1850, status="published", version=1, first_q=2, last_q=7, pop=0.55, fail=0.15,
         tracks=["data", "tech"],
         summary="Frame business problems as prediction tasks, build and evaluate models responsibly, "
                 "and decide when machine learning is not the answer.",
         outcomes=["Frame an organisational problem as a supervised or unsupervised learning task.",
                   "Build, validate and compare models using appropriate metrics.",
                   "Assess models for bias, drift and data protection risks.",
                   "Present the business case and limits of a model to decision makers."],
         skills=[("utilise machine learning", 4), ("analyse big data", 3), ("create data models", 3)],
         partners=["HVB", "BSW", "TWE"]),
    dict(code="MC-CLD-101", title="Cloud Infrastructure Essentials", eqf=5, ects="5.0", mode="online",
         price=1100, status="published", version=2, first_q=0, last_q=7, pop=0.8, fail=0.11, tracks=["tech"],
         summary="Plan, deploy and run services on public cloud platforms: compute, storage, networking, "
                 "identity and cost control.",
         outcomes=["Explain the shared responsibility model and core cloud service types.",
                   "Deploy and configure compute, storage and network resources.",
                   "Control access with identity and access management policies.",
                   "Monitor usage and cost and recommend savings."],
         skills=[("manage cloud infrastructure", 3), ("deploy cloud resource", 3), ("automate cloud tasks", 2)],
         partners=["BSW"]),
    dict(code="MC-CLD-201", title="DevOps and Automation", eqf=6, ects="7.5", mode="blended", price=1650,
         status="in_review", version=2, first_q=None, last_q=None, pop=0.6, fail=0.12, tracks=["tech"],
         summary="Automate build, test and deployment pipelines and run services reliably with "
                 "infrastructure as code and observability.",
         outcomes=["Design a continuous integration and delivery pipeline for a service.",
                   "Provision infrastructure as code and manage its changes through review.",
                   "Instrument services with logs, metrics and alerts.",
                   "Run a blameless post-incident review."],
         skills=[("apply DevOps practices", 4), ("automate cloud tasks", 3), ("use scripting programming", 3)],
         partners=["BSW", "HVB"]),
    dict(code="MC-CYB-101", title="Cyber Security Essentials for Professionals", eqf=4, ects="2.5",
         mode="online", price=300, status="published", version=3, first_q=0, last_q=7, pop=1.8, fail=0.05,
         tracks=["tech", "fin", "care", "people", "gen", "cx", "ops", "data"],
         summary="Recognise and respond to everyday cyber threats: phishing, passwords and "
                 "authentication, safe handling of personal data, and reporting incidents.",
         outcomes=["Recognise common social engineering and phishing techniques.",
                   "Apply good practice for passwords, multi-factor authentication and devices.",
                   "Handle personal data in line with data protection law.",
                   "Report a suspected incident through the right channel without delay."],
         skills=[("apply cybersecurity principles", 2), ("protect personal data and privacy", 2)],
         partners=["RHT", "NCC", "HVB"]),
    dict(code="MC-CYB-201", title="Security Operations and Incident Response", eqf=6, ects="7.5",
         mode="blended", price=1900, status="published", version=1, first_q=1, last_q=7, pop=0.45, fail=0.14,
         tracks=["tech"],
         summary="Detect, triage and contain security incidents in a security operations centre, "
                 "and manage security risk and compliance.",
         outcomes=["Analyse alerts and logs to triage potential incidents.",
                   "Contain and recover from an incident following a response plan.",
                   "Assess ICT security risks and propose proportionate controls.",
                   "Map controls to a recognised security compliance framework.",
                   "Write an incident report for technical and executive audiences."],
         skills=[("identify ICT security risks", 4), ("respond to incidents in cloud", 3),
                 ("manage IT security compliances", 3), ("apply cybersecurity principles", 4)],
         partners=["HVB", "TWE"]),
    dict(code="MC-LEAD-101", title="Leading Teams", eqf=5, ects="5.0", mode="blended", price=850,
         status="published", version=2, first_q=0, last_q=7, pop=1.3, fail=0.06, tracks=["lead", "people"],
         summary="For new and aspiring team leaders: setting direction, running effective one-to-ones, "
                 "giving feedback and supporting wellbeing.",
         outcomes=["Agree clear goals and expectations with a team.",
                   "Run structured one-to-ones and give constructive feedback.",
                   "Adapt leadership style to the person and situation.",
                   "Recognise signs of stress and support wellbeing at work."],
         skills=[("lead a team", 3), ("give constructive feedback", 3), ("motivate employees", 2)],
         partners=["RHT", "KLG", "CMR"]),
    dict(code="MC-LEAD-201", title="Leading Change in Organisations", eqf=6, ects="5.0", mode="blended",
         price=1250, status="published", version=1, first_q=0, last_q=7, pop=0.7, fail=0.07,
         tracks=["lead", "people"],
         summary="Plan and lead organisational change: stakeholder analysis, communication, resistance, "
                 "and measuring whether change has stuck.",
         outcomes=["Diagnose the case for change and its stakeholders.",
                   "Plan change communication and engagement.",
                   "Respond constructively to resistance to change.",
                   "Measure and sustain the benefits of a change."],
         skills=[("manage organisational change", 4), ("manage staff", 3), ("coach employees", 3)],
         partners=["RHT", "NCC"]),
    dict(code="MC-LEAD-301", title="Strategic Leadership", eqf=7, ects="10.0", mode="on_campus", price=2500,
         status="approved", version=1, first_q=None, last_q=None, pop=0.3, fail=0.05, tracks=["lead"],
         summary="For senior leaders: strategy formulation, financial stewardship, and leading across "
                 "organisational boundaries.",
         outcomes=["Formulate strategy from an analysis of the organisation and its environment.",
                   "Interpret financial statements to inform strategic choices.",
                   "Lead collaboration across organisational and sector boundaries.",
                   "Evaluate strategic risk and organisational resilience.",
                   "Reflect critically on their own leadership practice.",
                   "Design a governance approach for a major initiative."],
         skills=[("think strategically", 5), ("interpret financial statements", 3), ("perform risk analysis", 3)],
         partners=["RHT", "HVB", "NCC"]),
    dict(code="MC-HLTH-101", title="Digital Health and Clinical Informatics", eqf=6, ects="5.0",
         mode="blended", price=1050, status="published", version=2, first_q=0, last_q=7, pop=1.0, fail=0.08,
         tracks=["care"],
         summary="Use digital health technologies and clinical data safely: electronic records, remote "
                 "monitoring, data quality and evidence-based service improvement.",
         outcomes=["Use electronic health records and e-health tools safely and effectively.",
                   "Assess the quality of clinical data and its fitness for purpose.",
                   "Apply evidence-based practice to evaluate a digital service change.",
                   "Protect patient confidentiality in digital workflows."],
         skills=[("use e-health and mobile health technologies", 3), ("manage healthcare users' data", 3),
                 ("apply evidence-based practice", 3)],
         partners=["RHT"]),
    dict(code="MC-OPS-101", title="Lean Operations and Continuous Improvement", eqf=5, ects="5.0",
         mode="workplace", price=900, status="published", version=2, first_q=0, last_q=7, pop=1.0, fail=0.08,
         tracks=["ops"],
         summary="Work-based micro-credential: map processes, remove waste and run improvement projects "
                 "with measurable results in your own workplace.",
         outcomes=["Map a value stream and identify waste.",
                   "Apply root cause analysis to a recurring problem.",
                   "Run a continuous improvement project with measurable results.",
                   "Sustain improvements with standard work and visual management."],
         skills=[("implement continuous improvement", 3), ("optimise logistics processes", 2),
                 ("perform project management", 2)],
         partners=["ADM", "KLG"]),
    dict(code="MC-SCM-201", title="Supply Chain Analytics", eqf=6, ects="5.0", mode="online", price=1150,
         status="published", version=1, first_q=4, last_q=7, pop=0.7, fail=0.10, tracks=["ops", "data"],
         summary="Use data to plan and improve supply chains: demand forecasting, inventory policy and "
                 "network performance.",
         outcomes=["Forecast demand with time-series methods and judge forecast accuracy.",
                   "Set inventory policies that balance service and cost.",
                   "Analyse supply chain performance with appropriate indicators."],
         skills=[("forecast demand", 3), ("analyse supply chain strategies", 3), ("perform data analysis", 3)],
         partners=["KLG", "ADM", "CMR"]),
    dict(code="MC-FIN-101", title="Finance for Non-Financial Managers", eqf=5, ects="2.5", mode="online",
         price=450, status="retired", version=3, first_q=0, last_q=3, pop=0.9, fail=0.07,
         tracks=["lead", "fin", "gen"],
         summary="Read financial statements, build and manage a budget, and make the case for an "
                 "investment. Replaced by modules in the leadership pathway.",
         outcomes=["Read an income statement, balance sheet and cash flow statement.",
                   "Build and monitor a departmental budget.",
                   "Prepare a simple cost-benefit analysis for a proposal."],
         skills=[("interpret financial statements", 2), ("manage budgets", 3),
                 ("prepare cost benefit analysis reports", 2)],
         partners=["HVB"]),
    dict(code="MC-PM-101", title="Agile Project Management", eqf=5, ects="5.0", mode="blended", price=900,
         status="published", version=1, first_q=0, last_q=7, pop=1.1, fail=0.07, tracks=["gen", "tech", "ops"],
         summary="Plan and deliver projects with agile and hybrid methods: backlogs, iterations, "
                 "stakeholder engagement and risk management.",
         outcomes=["Choose between predictive, agile and hybrid approaches for a project.",
                   "Build and prioritise a backlog with stakeholders.",
                   "Run iterations and reviews and track progress transparently.",
                   "Identify, assess and manage project risks."],
         skills=[("use agile project management", 3), ("perform project management", 3),
                 ("perform risk analysis", 2)],
         partners=["BSW", "NCC", "TWE"]),
    dict(code="MC-SUS-101", title="Sustainability and Net Zero Reporting", eqf=6, ects="5.0", mode="online",
         price=980, status="draft", version=1, first_q=None, last_q=None, pop=0.5, fail=0.08,
         tracks=["ops", "fin"],
         summary="Measure and report an organisation's environmental impact and plan a credible route "
                 "to net zero.",
         outcomes=["Measure scope 1, 2 and 3 emissions using recognised methods.",
                   "Prepare sustainability disclosures for internal and external audiences.",
                   "Prioritise reduction measures in a net zero plan."],
         skills=[("report on environmental issues", 3), ("promote sustainability", 3)],
         partners=["TWE", "ADM"]),
    dict(code="MC-CX-101", title="Customer Experience Design", eqf=5, ects="5.0", mode="blended", price=750,
         status="draft", version=2, first_q=None, last_q=None, pop=0.6, fail=0.06, tracks=["cx"],
         summary="Understand customers' journeys, measure their experience and redesign services around "
                 "their needs.",
         outcomes=["Map a customer journey from research with real customers.",
                   "Measure customer experience with appropriate indicators.",
                   "Prototype and test a service improvement.",
                   "Communicate with customers clearly, including in difficult conversations."],
         skills=[("manage customer experience", 3), ("communicate with customers", 3)],
         partners=["CMR", "HVB"]),
]

# Sector weights on credentials (1 when not listed).
SECTOR_AFFINITY: dict[str, dict[str, float]] = {
    "Healthcare": {"MC-HLTH-101": 3.0, "MC-LEAD-101": 1.5, "MC-CYB-101": 1.3, "MC-DATA-301": 0.3,
                   "MC-CLD-101": 0.4, "MC-SCM-201": 0.2, "MC-OPS-101": 0.5},
    "Financial services": {"MC-DATA-101": 1.4, "MC-DATA-201": 1.6, "MC-DATA-301": 1.6, "MC-CYB-201": 1.8,
                           "MC-FIN-101": 1.3, "MC-HLTH-101": 0.0, "MC-OPS-101": 0.5, "MC-SCM-201": 0.2},
    "Public administration": {"MC-LEAD-201": 1.4, "MC-PM-101": 1.3, "MC-CYB-101": 1.3, "MC-HLTH-101": 0.4,
                              "MC-SCM-201": 0.2, "MC-DATA-301": 0.4},
    "Transport and logistics": {"MC-OPS-101": 2.5, "MC-SCM-201": 3.0, "MC-HLTH-101": 0.0, "MC-DATA-301": 0.4},
    "Manufacturing": {"MC-OPS-101": 3.0, "MC-SCM-201": 2.0, "MC-HLTH-101": 0.0},
    "Retail": {"MC-DATA-101": 1.4, "MC-SCM-201": 1.5, "MC-LEAD-101": 1.5, "MC-HLTH-101": 0.0,
               "MC-CYB-201": 0.3},
    "Energy and utilities": {"MC-PM-101": 1.5, "MC-DATA-201": 1.3, "MC-CYB-201": 1.4, "MC-OPS-101": 1.3,
                             "MC-HLTH-101": 0.0},
    "Software": {"MC-CLD-101": 2.5, "MC-DATA-201": 1.8, "MC-DATA-301": 2.0, "MC-CYB-201": 1.5,
                 "MC-PM-101": 1.5, "MC-HLTH-101": 0.0, "MC-OPS-101": 0.3},
}

PATHWAYS: list[dict] = [
    dict(code="PW-DATA", title="Data Analytics Professional",
         summary="From spreadsheets to machine learning: three stackable credentials (17.5 ECTS) "
                 "for analysts and aspiring data scientists.",
         steps=["MC-DATA-101", "MC-DATA-201", "MC-DATA-301"]),
    dict(code="PW-LEAD", title="Leadership Development",
         summary="A progression from first-line team leadership to strategic leadership (20 ECTS).",
         steps=["MC-LEAD-101", "MC-LEAD-201", "MC-LEAD-301"]),
    dict(code="PW-CLOUDSEC", title="Cloud and Security Engineering",
         summary="Secure cloud engineering, from security essentials to DevOps and incident response.",
         steps=["MC-CYB-101", "MC-CLD-101", "MC-CYB-201", "MC-CLD-201"]),
]

# --- Demo users ----------------------------------------------------------------
# Stable emails: login tests and the development identity provider use them.
# The first two are the ones to try first; the deactivated HR manager signs in
# at the identity provider but gets "no access" in the app.

_DOMAIN = {e["code"]: e["domain"] for e in EMPLOYERS}
_DOMAIN[UNIVERSITY["code"]] = UNIVERSITY["domain"]


def _user(local: str, org: str, name: str, role: Role, active: bool = True) -> dict:
    return {"email": f"{local}@{_DOMAIN[org]}", "display_name": name, "role": role.value, "org_code": org,
            "is_active": active}


DEMO_USERS: list[dict] = [
    _user("officer", "NBU", "Olivia Hart", Role.partnership_officer),
    _user("hr", "RHT", "Marcus Bell", Role.hr_manager),
    _user("admin", "NBU", "Samira Adeyemi", Role.admin),
    _user("partnerships", "NBU", "Daniel Okafor", Role.partnership_officer),
    _user("viewer", "NBU", "Grace Lin", Role.viewer),
    _user("hr", "HVB", "Aisha Khan", Role.hr_manager),
    _user("hr", "NCC", "Gareth Evans", Role.hr_manager),
    _user("hr", "KLG", "Priya Sharma", Role.hr_manager),
    _user("hr", "ADM", "Tomasz Nowak", Role.hr_manager),
    _user("hr", "CMR", "Chloe Bennett", Role.hr_manager),
    _user("hr", "TWE", "Kwame Mensah", Role.hr_manager),
    _user("hr", "BSW", "Yuki Tanaka", Role.hr_manager),
    _user("viewer", "HVB", "Tom Fletcher", Role.viewer),
    _user("former.hr", "RHT", "Helen Price", Role.hr_manager, active=False),
]


# --- Helpers -------------------------------------------------------------------


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_quarters(qs: date, n: int) -> date:
    m = qs.month - 1 + 3 * n
    return date(qs.year + m // 12, m % 12 + 1, 1)


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum() or ch == "-")


def _money(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainders), at least one each when possible."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    for i in range(len(out)):  # tiny seeds: give every employer somebody
        if out[i] == 0 and total >= len(out):
            j = max(range(len(out)), key=lambda k: out[k])
            out[j] -= 1
            out[i] += 1
    return out


class _Random(random.Random):
    """random.Random with cheaper randint/choice (a million rows call them often).

    Same determinism guarantee: the stream depends only on the seed.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class _Writer:
    """Buffers rows per table and writes them with executemany, parents first."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.tables = list(metadata.sorted_tables)
        self.buffers: dict[str, list[dict]] = {t.name: [] for t in self.tables}
        self.counts: dict[str, int] = {t.name: 0 for t in self.tables}

    def rows(self, model) -> list[dict]:
        return self.buffers[model.__table__.name]

    def flush(self) -> None:
        for table in self.tables:  # FK order: every parent row is written before its children
            buf = self.buffers[table.name]
            for i in range(0, len(buf), CHUNK):
                self.conn.execute(table.insert(), buf[i : i + CHUNK])
            self.counts[table.name] += len(buf)
            buf.clear()


class _Timestamps:
    """Deterministic aware timestamps for data dates (business hours, never after today)."""

    def __init__(self, today: date):
        self.today = today
        self.cache: dict[date, datetime] = {}

    def __call__(self, d: date) -> datetime:
        dt = self.cache.get(d)
        if dt is None:
            if d >= self.today:
                dt = datetime.combine(self.today, time(0, 0), tzinfo=timezone.utc)
            else:
                minutes = 8 * 60 + (d.toordinal() * 37) % 540
                dt = datetime.combine(d, time(minutes // 60, minutes % 60), tzinfo=timezone.utc)
            self.cache[d] = dt
        return dt


# --- The generator -------------------------------------------------------------


class _Seeder:
    def __init__(self, *, employees: int, seed: int, today: date):
        self.n_employees = employees
        self.seed = seed
        self.today = today
        self.rng = _Random(seed)
        self.ts = _Timestamps(today)
        qs_now = _quarter_start(today)
        self.q_starts = [_add_quarters(qs_now, i - (QUARTERS - 1)) for i in range(QUARTERS)]

    # -- reference data --------------------------------------------------------

    def organisations(self, w: _Writer) -> None:
        rng, today, ts = self.rng, self.today, self.ts
        orgs = w.rows(Organization)
        self.university_id = 1
        orgs.append(dict(id=1, code=UNIVERSITY["code"], name=UNIVERSITY["name"], kind=OrgKind.university.value,
                         sector=UNIVERSITY["sector"], country="GB", created_at=ts(today - timedelta(days=2200))))
        self.org_id = {UNIVERSITY["code"]: 1}
        self.employers = []
        alloc = _allocate(self.n_employees, [e["weight"] for e in EMPLOYERS])
        # Partnerships began two to four years ago, and before the first cohort in the data.
        latest_start = min(self.q_starts[0] - timedelta(days=30), today - timedelta(days=731))
        earliest_start = today - timedelta(days=4 * 365)
        parts = w.rows(Partnership)
        for i, (spec, n) in enumerate(zip(EMPLOYERS, alloc, strict=True)):
            oid = i + 2
            starts = earliest_start + timedelta(days=rng.randint(0, (latest_start - earliest_start).days))
            orgs.append(dict(id=oid, code=spec["code"], name=spec["name"], kind=OrgKind.employer.value,
                             sector=spec["sector"], country="GB",
                             created_at=ts(starts - timedelta(days=rng.randint(20, 90)))))
            self.org_id[spec["code"]] = oid
            # Budget and seats in proportion to size: about two enrollments per person a year.
            seats = max(5, round(n * 2.0 * rng.uniform(0.85, 1.1)))
            budget = max(5000, round(seats * 950 * rng.uniform(0.95, 1.2), -3))
            parts.append(dict(id=i + 1, university_id=1, employer_id=oid, starts_on=starts, ends_on=None,
                              status=PartnershipStatus(spec["status"]).value, annual_budget=_money(budget),
                              seats_committed=seats))
            self.employers.append(dict(spec, id=oid, n=n, partnership_start=starts))

    def curriculum(self, w: _Writer) -> None:
        rng, today, ts, q = self.rng, self.today, self.ts, self.q_starts
        self.skill_id = {}
        self.skills_by_category: dict[str, list[int]] = {}
        for i, (name, cat) in enumerate(SKILLS, start=1):
            w.rows(Skill).append(dict(id=i, name=name, category=cat, esco_uri=esco_uri(name)))
            self.skill_id[name] = i
            self.skills_by_category.setdefault(cat, []).append(i)

        self.creds: list[dict] = []
        self.cred_by_code: dict[str, dict] = {}
        lo_id = 0
        for i, spec in enumerate(CREDENTIALS, start=1):
            status = CredentialStatus(spec["status"])
            if spec["first_q"] is not None:
                created = q[spec["first_q"]] - timedelta(days=rng.randint(90, 200))
                updated = min(today, q[spec["first_q"]] - timedelta(days=rng.randint(10, 40)))
                if status == CredentialStatus.retired:
                    updated = min(today, q[spec["last_q"]] + timedelta(days=rng.randint(100, 120)))
            else:
                created = today - timedelta(days=rng.randint(40, 240))
                updated = min(today, created + timedelta(days=rng.randint(5, 35)))
            ects = Decimal(spec["ects"])
            w.rows(Credential).append(dict(
                id=i, university_id=self.university_id, code=spec["code"], title=spec["title"],
                summary=spec["summary"], eqf_level=spec["eqf"], ects_credits=ects,
                learning_hours=int(ects * 25), delivery_mode=spec["mode"], price=_money(spec["price"]),
                status=status.value, version=spec["version"], created_at=ts(created), updated_at=ts(updated),
            ))
            for pos, txt in enumerate(spec["outcomes"], start=1):
                lo_id += 1
                w.rows(LearningOutcome).append(dict(id=lo_id, credential_id=i, position=pos, text=txt))
            skills = []
            for name, prof in spec["skills"]:
                sid = self.skill_id[name]
                w.rows(CredentialSkill).append(dict(credential_id=i, skill_id=sid, proficiency=prof))
                skills.append((sid, prof))
            partner_ids = []
            for code in spec["partners"]:
                emp = next(e for e in self.employers if e["code"] == code)
                joined = min(today, max(emp["partnership_start"], created) + timedelta(days=rng.randint(0, 30)))
                w.rows(CredentialPartner).append(dict(credential_id=i, employer_id=emp["id"], joined_on=joined))
                partner_ids.append(emp["id"])
            price = _money(spec["price"])
            weeks = min(16, max(6, round(float(ects) * 1.4) + 4))
            self.creds.append(dict(
                spec, id=i, skills=skills, partner_ids=sorted(partner_ids), weeks=weeks, created_on=created,
                updated_on=updated,
                costs=(price, _money(price * Decimal("0.85")), _money(price * Decimal("0.90"))),
            ))
            self.cred_by_code[spec["code"]] = self.creds[-1]

        self.prereq: dict[int, int] = {}
        step_id = 0
        for i, spec in enumerate(PATHWAYS, start=1):
            w.rows(Pathway).append(dict(id=i, university_id=self.university_id, code=spec["code"],
                                        title=spec["title"], summary=spec["summary"]))
            prev = None
            for pos, code in enumerate(spec["steps"], start=1):
                step_id += 1
                cid = self.cred_by_code[code]["id"]
                w.rows(PathwayStep).append(dict(id=step_id, pathway_id=i, credential_id=cid, position=pos))
                if prev is not None:
                    self.prereq[cid] = prev
                prev = cid

        # Skill -> published credentials that teach it (for PDP goals naming a credential).
        self.creds_for_skill: dict[int, list[int]] = {}
        for c in self.creds:
            if c["status"] == CredentialStatus.published:
                for sid, _ in c["skills"]:
                    self.creds_for_skill.setdefault(sid, []).append(c["id"])

    def cohorts(self, w: _Writer) -> None:
        """Sections of each running credential per quarter, sized to the expected demand."""
        rng, today, q = self.rng, self.today, self.q_starts
        growth = [1.0 + 0.07 * i for i in range(QUARTERS)]
        running = [c for c in self.creds if c["first_q"] is not None]
        emp_share = [e["weight"] for e in EMPLOYERS]
        pull = {}
        for c in running:
            aff = sum(s * SECTOR_AFFINITY.get(e["sector"], {}).get(c["code"], 1.0)
                      for s, e in zip(emp_share, EMPLOYERS, strict=True))
            pull[c["id"]] = c["pop"] * aff
        total_pull = sum(pull[c["id"]] * growth[qi] for c in running for qi in range(c["first_q"], c["last_q"] + 1))
        expected_total = ENROLLMENTS_PER_EMPLOYEE * self.n_employees

        self.sections: dict[tuple[int, int], list[tuple]] = {}
        self.cohort_seats: list[int] = [0]
        rows = w.rows(Cohort)
        cid = 0
        for c in running:
            for qi in range(c["first_q"], c["last_q"] + 1):
                expected = expected_total * pull[c["id"]] * growth[qi] / total_pull
                n_sections = max(1, round(expected / 30))
                qs = q[qi]
                label = f"{qs.year}Q{(qs.month - 1) // 3 + 1}"
                open_sections = []
                for k in range(n_sections):
                    start = qs + timedelta(days=rng.randint(3, 9) + 7 * (k % 8))
                    start += timedelta(days=(7 - start.weekday()) % 7)  # cohorts start on a Monday
                    weeks = min(16, max(6, c["weeks"] + rng.choice((-1, 0, 0, 1))))
                    end = start + timedelta(days=7 * weeks - 3)  # ... and end on a Friday
                    seats = rng.choice((20, 24, 25, 30, 30, 35, 40))
                    cid += 1
                    rows.append(dict(id=cid, credential_id=c["id"], code=f"{label}-{k + 1:02d}",
                                     starts_on=start, ends_on=end, seats=seats))
                    self.cohort_seats.append(seats)
                    # Enrollment opens three weeks before the start; nothing is dated after today.
                    lead_min = max(3, (start - today).days)
                    if lead_min <= 21:
                        mid = start + timedelta(days=(end - start).days // 2)
                        open_sections.append((cid, start, end, mid, lead_min))
                if open_sections:
                    self.sections[(c["id"], qi)] = open_sections
        self.cohort_count = [0] * (cid + 1)

    # -- people ----------------------------------------------------------------

    def people(self, w: _Writer) -> None:
        rng, today = self.rng, self.today
        depts = w.rows(Department)
        emp_rows = w.rows(Employee)
        self.dept_track: list[str] = [""]  # by department id
        # Per employee (index = id - 1): employer index, department id, manager id,
        # is-a-manager flag, hired_on, left_on.
        self.e_employer: list[int] = []
        self.e_dept: list[int] = []
        self.e_mgr: list[int | None] = []
        self.e_is_mgr: list[bool] = []
        self.e_hired: list[date] = []
        self.e_left: list[date | None] = []
        dept_id = 0
        emp_id = 0
        slugs = {name: _slug(name) for name in FIRST_NAMES + LAST_NAMES}
        for ei, emp in enumerate(self.employers):
            spec_depts = DEPARTMENTS[emp["sector"]]
            d_ids = []
            for name, _wt, track, *_ in spec_depts:
                dept_id += 1
                depts.append(dict(id=dept_id, employer_id=emp["id"], name=name))
                self.dept_track.append(track)
                d_ids.append(dept_id)
            cum = list(accumulate(d[1] for d in spec_depts))
            locations = emp["locations"]
            loc_cum = list(accumulate([3.0] + [1.0] * (len(locations) - 1)))
            head: list[int | None] = [None] * len(spec_depts)
            leads: list[list[int]] = [[] for _ in spec_depts]
            staff = [0] * len(spec_depts)
            span = [rng.randint(6, 12) for _ in spec_depts]
            emails: dict[str, int] = {}
            ref = rng.randint(100, 900)
            n = emp["n"]
            hires = sorted(today - timedelta(days=rng.randint(7, 3650)) for _ in range(n))
            for j, hired in enumerate(hires):
                emp_id += 1
                # The earliest hires head the departments; then people join by department size.
                d = j if j < len(spec_depts) and n >= 2 * len(spec_depts) else rng.choices(
                    range(len(spec_depts)), cum_weights=cum)[0]
                name, _wt, _track, head_title, lead_title, titles = spec_depts[d]
                if head[d] is None:
                    manager, is_mgr, title = None, True, head_title
                    head[d] = emp_id
                elif staff[d] >= (len(leads[d]) + 1) * span[d]:
                    pool = leads[d][: max(8, len(leads[d]) // 8)]
                    manager = head[d] if len(leads[d]) < 8 else rng.choice(pool)
                    is_mgr, title = True, lead_title
                    leads[d].append(emp_id)
                else:
                    manager = rng.choice(leads[d]) if leads[d] else head[d]
                    is_mgr, title = False, rng.choice(titles)
                    staff[d] += 1
                left = None
                tenure = (today - hired).days
                if not is_mgr and tenure > 120 and rng.random() < 0.135:
                    # Skewed towards recent leavers; never today or later.
                    left = today - timedelta(days=1 + int((tenure - 90) * rng.random() ** 1.6))
                first = rng.choice(FIRST_NAMES)
                last = rng.choice(LAST_NAMES)
                base = f"{slugs[first]}.{slugs[last]}"
                k = emails.get(base, 0) + 1
                emails[base] = k
                email = f"{base}{k if k > 1 else ''}@{emp['domain']}"
                ref += rng.randint(1, 3)
                location = locations[rng.choices(range(len(locations)), cum_weights=loc_cum)[0]]
                emp_rows.append(dict(
                    id=emp_id, employer_id=emp["id"], employee_ref=f"E{ref:06d}", full_name=f"{first} {last}",
                    email=email, department_id=d_ids[d], job_title=title, location=location,
                    manager_id=manager, hired_on=hired, left_on=left,
                ))
                self.e_employer.append(ei)
                self.e_dept.append(d_ids[d])
                self.e_mgr.append(manager)
                self.e_is_mgr.append(is_mgr)
                self.e_hired.append(hired)
                self.e_left.append(left)
                if len(emp_rows) >= CHUNK:
                    w.flush()
        w.flush()

    # -- learning records ------------------------------------------------------

    def _credential_table(self, sector: str, track: str, is_mgr: bool, qi: int) -> tuple[list[int], list[float]]:
        key = (sector, track, is_mgr, qi)
        hit = self._tables.get(key)
        if hit is None:
            ids, weights = [], []
            aff = SECTOR_AFFINITY.get(sector, {})
            for c in self.creds:
                if (c["id"], qi) not in self.sections:
                    continue
                wgt = c["pop"] * aff.get(c["code"], 1.0)
                if track in c["tracks"]:
                    wgt *= 3.0
                if is_mgr and "lead" in c["tracks"]:
                    wgt *= 3.0
                if wgt > 0:
                    ids.append(c["id"])
                    weights.append(wgt)
            hit = (ids, list(accumulate(weights)))
            self._tables[key] = hit
        return hit

    def learning(self, w: _Writer) -> None:
        """Enrollments, skill assessments, PDPs with goals and outcome surveys, one employee at a time."""
        rng, today, ts, q = self.rng, self.today, self.ts, self.q_starts
        self._tables: dict = {}
        creds = {c["id"]: c for c in self.creds}
        E, SA, P, PG, OS = (w.rows(m) for m in (Enrollment, SkillAssessment, Pdp, PdpGoal, OutcomeSurvey))
        growth = [1.0 + 0.07 * i for i in range(QUARTERS)]
        paused_from = q[QUARTERS - 2]  # a paused partnership has taken no new learners for two quarters
        day = timedelta(days=1)

        def eligible(hired: date, left: date | None) -> list[int]:
            return [qi for qi in range(QUARTERS)
                    if hired <= q[qi] - timedelta(days=18) and (left is None or left > q[qi] + timedelta(days=10))]

        # Calibrate the per-person rate so that the total lands near the target: exposure is the
        # share of the window each person could enrol in (leavers are less keen); 0.88 because
        # 12% never enrol; 1.2 makes up for slots that come to nothing (two per quarter at most,
        # credential already taken, pathway order, left before the start, the paused partner).
        exposure = 0.0
        e_elig = []
        for h, lft in zip(self.e_hired, self.e_left, strict=True):
            e_elig.append(eligible(h, lft))
            exposure += len(e_elig[-1]) / QUARTERS * (0.6 if lft else 1.0)
        rate = ENROLLMENTS_PER_EMPLOYEE * self.n_employees / max(exposure * 0.88, 1.0) * 1.2

        ids = dict(enr=0, sa=0, pdp=0, goal=0, survey=0)
        year = today.year

        def assess(emp_id, skill, level, on, source):
            ids["sa"] += 1
            SA.append(dict(id=ids["sa"], employee_id=emp_id, skill_id=skill, level=level, assessed_on=on,
                           source=source))

        for idx in range(self.n_employees):
            emp_id = idx + 1
            emp = self.employers[self.e_employer[idx]]
            hired, left = self.e_hired[idx], self.e_left[idx]
            track = self.dept_track[self.e_dept[idx]]
            is_mgr = self.e_is_mgr[idx]
            levels: dict[int, int] = {}
            mine: list[tuple] = []  # (credential id, status, start, end, outcome day)

            elig = e_elig[idx]
            n = 0
            if elig and rng.random() >= 0.12:  # some people never take a credential
                x = rate * len(elig) / QUARTERS * (0.6 if left else 1.0) * (0.4 + 1.2 * rng.random())
                n = min(int(x) + (rng.random() < x - int(x)), 2 * len(elig))
            slots: list[tuple[int, int]] = []  # (quarter, credential id or 0 = choose)
            if n:
                cw = list(accumulate(growth[qi] for qi in elig))
                slots = sorted((qi, 0) for qi in rng.choices(elig, cum_weights=cw, k=n))
            taken: list[int] = []
            completed: dict[int, date] = {}
            per_quarter = [0] * QUARTERS
            commitment = 0.6 + 0.8 * rng.random()  # scales the chance of withdrawing
            i = 0
            while i < len(slots):
                qi, forced = slots[i]
                i += 1
                if per_quarter[qi] >= 2 and not forced:
                    continue
                if forced:
                    c_id = forced
                else:
                    table_ids, table_cw = self._credential_table(emp["sector"], track, is_mgr, qi)
                    if not table_ids:
                        continue
                    c_id = 0
                    for _ in range(4):
                        cand = table_ids[bisect_right(table_cw, rng.random() * table_cw[-1])]
                        if cand in taken:
                            continue
                        pre = self.prereq.get(cand)
                        if pre is not None and pre not in completed and rng.random() < 0.75:
                            continue
                        c_id = cand
                        break
                    if not c_id:
                        continue
                secs = self.sections.get((c_id, qi))
                if not secs:
                    continue
                coh, start, end, mid, lead_min = rng.choice(secs)
                if left is not None and left <= start:
                    continue
                if emp["status"] == "paused" and start >= paused_from:
                    continue
                enrolled = start - timedelta(days=rng.randint(lead_min, max(lead_min, 21)))
                if enrolled < hired:
                    continue
                if forced:
                    prev_end = max((m[4] for m in mine if m[0] == c_id and m[4] is not None), default=None)
                    if prev_end is None or enrolled <= prev_end:
                        continue
                c = creds[c_id]
                taken.append(c_id)
                per_quarter[qi] += 1

                status = completed_on = withdrawn_on = last_activity = score = None
                left_during = left is not None and left <= end + timedelta(days=21)
                if left_during and left <= end:
                    status = _WITHDRAWN
                    withdrawn_on = max(enrolled, left - timedelta(days=rng.randint(0, 14)))
                elif end < today:
                    r = rng.random()
                    p_withdraw = (0.235 + 0.02 * (float(c["ects"]) - 5)) * commitment
                    if r < p_withdraw:
                        status = _WITHDRAWN
                        span_days = (end - enrolled).days
                        withdrawn_on = enrolled + timedelta(days=int(span_days * rng.random() ** 1.5))
                    else:
                        status = _FAILED if r < p_withdraw + 1.2 * c["fail"] else _COMPLETED
                        done = max(mid, end + timedelta(days=rng.randint(-14, 21)))
                        if left is not None:
                            done = min(done, left - day)
                        if done > today:  # result not known yet
                            status = _IN_PROGRESS
                            last_activity = end - timedelta(days=rng.randint(0, 10))
                        else:
                            completed_on = done
                elif start <= today:  # running now
                    r = rng.random()
                    if r < 0.09 * commitment:
                        status = _WITHDRAWN
                        withdrawn_on = enrolled + timedelta(days=int((today - enrolled).days * rng.random()))
                    elif today > mid and r < 0.09 * commitment + 0.05:
                        status = _COMPLETED
                        completed_on = mid + timedelta(days=int((today - mid).days * rng.random()))
                    elif r > 0.93:
                        status = _ENROLLED  # signed up, not started
                    else:
                        status = _IN_PROGRESS
                        since = (today - start).days
                        if since > 35 and rng.random() < 0.2:  # stalled: feeds the at-risk list
                            last_activity = start + timedelta(days=rng.randint(0, since - 31))
                        else:
                            last_activity = today - timedelta(days=rng.randint(0, min(since, 12)))
                else:  # starts after today
                    if rng.random() < 0.05:
                        status = _WITHDRAWN
                        withdrawn_on = enrolled + timedelta(days=int((today - enrolled).days * rng.random()))
                    else:
                        status = _ENROLLED

                if status == _COMPLETED:
                    score = round(min(100.0, max(55.0, rng.gauss(76, 10))), 1)
                    last_activity = completed_on
                    completed[c_id] = completed_on
                elif status == _FAILED:
                    score = round(rng.uniform(10, 54.9), 1)
                    last_activity = completed_on
                elif status == _WITHDRAWN:
                    last_activity = withdrawn_on

                r = rng.random()
                sponsor = (_SPONSOR_EMPLOYER if r < 0.80 else _SPONSOR_EMPLOYEE if r < 0.87
                           else _SPONSOR_FUND if r < 0.95 else _SPONSOR_UNIVERSITY)
                if emp["id"] in c["partner_ids"]:
                    cost = c["costs"][1]  # co-design partner rate
                elif rng.random() < 0.12:
                    cost = c["costs"][2]  # volume discount
                else:
                    cost = c["costs"][0]
                problems = record_problems(status=status, enrolled_on=enrolled,
                                           completed_on=completed_on, withdrawn_on=withdrawn_on)
                if problems:  # a bug in this generator, never data to write
                    raise AssertionError(f"seed enrollment breaks the lifecycle: {problems}")
                ids["enr"] += 1
                eid = ids["enr"]
                E.append(dict(
                    id=eid, employee_id=emp_id, credential_id=c_id, cohort_id=coh, enrolled_on=enrolled,
                    status=status, last_activity_on=last_activity, completed_on=completed_on,
                    withdrawn_on=withdrawn_on, score=score, cost=cost, sponsor=sponsor,
                    updated_at=ts(completed_on or withdrawn_on or last_activity or enrolled),
                ))
                self.cohort_count[coh] += 1
                outcome_day = completed_on or withdrawn_on
                mine.append((c_id, status, start, end, outcome_day))

                # Skills assessed when enrolling and again after completing.
                if rng.random() < emp["assess"]:
                    skills = c["skills"][: 2 if rng.random() < 0.4 else 1]
                    on = max(hired, enrolled - timedelta(days=rng.randint(0, 10)))
                    src = "self" if rng.random() < 0.6 else "manager"
                    for sid, prof in skills:
                        before = levels.get(sid)
                        if before is None:
                            before = min(3, rng.choice((0, 1, 1, 2, 2, 3)), max(0, prof - 1))
                        assess(emp_id, sid, before, on, src)
                        levels[sid] = before
                    if status == _COMPLETED:
                        after_on = completed_on + timedelta(days=rng.randint(7, 40))
                        if after_on <= today and (left is None or after_on < left):
                            src = "assessment" if rng.random() < 0.6 else "manager"
                            for sid, prof in skills:
                                after = min(5, max(levels[sid] + rng.choice((1, 1, 2)), prof - 1))
                                assess(emp_id, sid, after, after_on, src)
                                levels[sid] = after

                if status == _COMPLETED and rng.random() < 0.58:
                    surveyed = completed_on + timedelta(days=rng.randint(60, 120))
                    if surveyed <= today and (left is None or surveyed < left):
                        pb = rng.choices((1, 2, 3, 4, 5), (3, 20, 50, 25, 2))[0]
                        sb = rng.choices((1, 2, 3, 4, 5), (5, 20, 45, 25, 5))[0]
                        pa = min(5, max(1, pb + rng.choices((-1, 0, 1, 2), (6, 50, 38, 6))[0]))
                        sa = min(5, max(1, sb + rng.choices((-1, 0, 1, 2), (8, 47, 38, 7))[0]))
                        ids["survey"] += 1
                        OS.append(dict(id=ids["survey"], employee_id=emp_id, enrollment_id=eid,
                                       surveyed_on=surveyed, performance_before=pb, performance_after=pa,
                                       satisfaction_before=sb, satisfaction_after=sa))

                # Now and then, somebody who failed or withdrew tries again a quarter or two later.
                if status in (_FAILED, _WITHDRAWN) and not left_during and rng.random() < 0.3:
                    later = qi + rng.choice((1, 1, 2))
                    if later < QUARTERS and later in elig:
                        insort(slots, (later, c_id), lo=i)

            # -- PDPs: last year's (closed) and this year's --------------------
            self._pdps(emp_id, idx, emp, track, is_mgr, hired, left, levels, mine, year, ids, assess, P, PG)

            if len(E) >= CHUNK:  # the other buffers grow more slowly
                w.flush()
        w.flush()

        # Cohorts that filled up were given extra seats.
        grown = [dict(b_id=cid, b_seats=(n * 21 // 20 + 4) // 5 * 5)
                 for cid, n in enumerate(self.cohort_count) if cid and n > self.cohort_seats[cid]]
        if grown:
            t = Cohort.__table__
            stmt = update(t).where(t.c.id == bindparam("b_id")).values(seats=bindparam("b_seats"))
            for i in range(0, len(grown), CHUNK):
                w.conn.execute(stmt, grown[i : i + CHUNK])

    def _pdps(self, emp_id, idx, emp, track, is_mgr, hired, left, levels, mine, year, ids, assess, P, PG) -> None:
        rng, today, ts = self.rng, self.today, self.ts
        manager = self.e_mgr[idx]
        cats = TRACK_CATEGORIES[track] + (TRACK_CATEGORIES["lead"] if is_mgr else [])
        pool = [s for cat in cats for s in self.skills_by_category[cat]]

        def goal(pdp_id, title, skill, cred, target, due, status, changed):
            ids["goal"] += 1
            PG.append(dict(id=ids["goal"], pdp_id=pdp_id, title=title[:200], skill_id=skill, credential_id=cred,
                           target_level=target, due_on=due, status=status, updated_at=ts(changed)))

        def skill_goal(pdp_id, used, created, year_end, status_for):
            fresh = [s for s in pool if s not in levels and s not in used]
            sid = rng.choice(fresh or pool)
            if sid in used:
                return
            used.append(sid)
            base = levels.get(sid)
            if base is None:
                base = rng.choice((0, 1, 1, 2, 2, 3))
                assess(emp_id, sid, base, created, AssessmentSource.manager.value)
                levels[sid] = base
            if base >= 5:
                return
            target = min(5, base + rng.choice((1, 1, 2)))
            earliest = created + timedelta(days=30)
            due = earliest if earliest >= year_end else earliest + timedelta(
                days=rng.randint(0, (year_end - earliest).days))
            status = status_for(due)
            name = SKILLS[sid - 1][0]
            cred = None
            options = [cid for cid in self.creds_for_skill.get(sid, ()) if cid not in [m[0] for m in mine]]
            if options and rng.random() < 0.35:
                cred = rng.choice(options)
                title = f"Build '{name}' through {self.creds[cred - 1]['title']}"
            else:
                title = f"Reach level {target} in '{name}'"
            changed = min(today, due) if status in (_GOAL_ACHIEVED, _GOAL_DROPPED) else created
            goal(pdp_id, title, sid, cred, target, due, status, changed)
            if status == _GOAL_ACHIEVED:  # the manager confirmed the new level
                on = max(created, min(today, due - timedelta(days=rng.randint(0, 20))))
                if left is None or on < left:
                    assess(emp_id, sid, target, on, AssessmentSource.manager.value)
                    levels[sid] = target
            elif status == _GOAL_IN_PROGRESS and target - base >= 2 and rng.random() < 0.4:
                on = created + timedelta(days=rng.randint(0, max(0, (today - created).days)))
                assess(emp_id, sid, base + 1, on, AssessmentSource.manager.value)
                levels[sid] = base + 1

        # Last year's plan, now closed.
        y0 = year - 1
        y0_end = date(y0, 12, 31)
        if hired <= date(y0, 3, 1) and (left is None or left > y0_end) and rng.random() < 0.45:
            created = max(date(y0, 1, 8) + timedelta(days=rng.randint(0, 70)), hired + timedelta(days=14))
            ids["pdp"] += 1
            pid = ids["pdp"]
            P.append(dict(id=pid, employee_id=emp_id, period=str(y0), manager_id=manager,
                          status=PdpStatus.closed.value, created_at=ts(created)))
            k = rng.choice((1, 2, 2, 3))
            used: list[int] = []
            for c_id, status, start, end, outcome_day in mine:
                if len(used) >= k:
                    break
                if start.year != y0 or start < created:
                    continue
                sid, prof = _main_skill(self.creds[c_id - 1])
                if sid in used:
                    continue
                used.append(sid)
                g = _GOAL_ACHIEVED if status == _COMPLETED else _GOAL_DROPPED
                due = min(y0_end, end + timedelta(days=14))
                goal(pid, f"Complete {self.creds[c_id - 1]['title']}", sid, c_id, prof, due, g,
                     min(today, outcome_day or due))
            while len(used) < k:
                before = len(used)
                skill_goal(pid, used, created, y0_end,
                           lambda due: _GOAL_ACHIEVED if rng.random() < 0.62 else _GOAL_DROPPED)
                if len(used) == before:
                    break

        # This year's plan for about 60% of current staff.
        if left is not None or hired > today - timedelta(days=14):
            return
        this_year = [m for m in mine if m[2].year == year or m[1] in (_ENROLLED, _IN_PROGRESS)]
        if rng.random() >= (0.66 if this_year else 0.5):
            return
        lo = max(date(year, 1, 6), hired + timedelta(days=14))
        if lo > today:
            lo = today
        created = lo + timedelta(days=rng.randint(0, min(80, (today - lo).days)))
        draft = rng.random() < 0.08
        ids["pdp"] += 1
        pid = ids["pdp"]
        P.append(dict(id=pid, employee_id=emp_id, period=str(year), manager_id=manager,
                      status=(PdpStatus.draft if draft else PdpStatus.active).value, created_at=ts(created)))
        y_end = date(year, 12, 31)

        def status_for(due: date) -> str:
            if draft:
                return _GOAL_PLANNED
            r = rng.random()
            if due < today:  # overdue unless achieved or dropped
                return (_GOAL_ACHIEVED if r < 0.55 else _GOAL_DROPPED if r < 0.65
                        else _GOAL_IN_PROGRESS if r < 0.85 else _GOAL_PLANNED)
            if (due - today).days <= 30:
                return _GOAL_PLANNED if r < 0.45 else _GOAL_IN_PROGRESS if r < 0.9 else _GOAL_ACHIEVED
            return _GOAL_PLANNED if r < 0.6 else _GOAL_IN_PROGRESS if r < 0.93 else _GOAL_ACHIEVED

        k = rng.choice((1, 2, 2, 3, 3, 4))
        used = []
        if not draft:
            for c_id, status, start, end, outcome_day in this_year:
                if len(used) >= min(k, 2):
                    break
                sid, prof = _main_skill(self.creds[c_id - 1])
                if sid in used:
                    continue
                used.append(sid)
                g = {_COMPLETED: _GOAL_ACHIEVED, _WITHDRAWN: _GOAL_DROPPED, _FAILED: _GOAL_IN_PROGRESS,
                     _ENROLLED: _GOAL_PLANNED}.get(status, _GOAL_IN_PROGRESS)
                due = min(y_end, max(created, end) + timedelta(days=14))
                goal(pid, f"Complete {self.creds[c_id - 1]['title']}", sid, c_id, prof, due, g,
                     min(today, outcome_day or created))
        while len(used) < k:
            before = len(used)
            skill_goal(pid, used, created, y_end, status_for)
            if len(used) == before:
                break

    # -- users, audit ----------------------------------------------------------

    def users(self, w: _Writer) -> None:
        for i, u in enumerate(DEMO_USERS, start=1):
            w.rows(AppUser).append(dict(
                id=i, email=u["email"].lower(), display_name=u["display_name"], role=Role(u["role"]).value,
                organization_id=self.org_id[u["org_code"]], is_active=bool(u["is_active"]),
                created_at=self.ts(self.today - timedelta(days=400 - 9 * i)), last_login_at=None,
            ))


    # -- co-design history ---------------------------------------------------------

    def design_history(self, w: _Writer) -> None:
        """What the co-design studio would have recorded for each credential: a revision per version
        (version 1 created by the university, each later one a change by a co-designer or the university),
        the status changes up to its status and, from review on, the approvals of its current version:
        by every party once approved (published and retired included), by the university while in review.
        Dated between the credential's created and updated days; no random draws (the rest stays as it was)."""
        users = {(u["org_code"], u["role"]): (i, u["email"]) for i, u in reversed(list(enumerate(DEMO_USERS, 1)))
                 if u["is_active"]}
        code_of = {v: k for k, v in self.org_id.items()}
        officer = users[(UNIVERSITY["code"], Role.partnership_officer.value)]
        hist = _History(w, self.ts, self.university_id)
        for c in self.creds:
            status = CredentialStatus(c["status"])
            hr = [users[(code_of[e], Role.hr_manager.value)] for e in c["partner_ids"]]
            snaps = _versions(self._snapshot(c), c["version"])
            start, end = c["created_on"], c["updated_on"]
            if status == CredentialStatus.retired:  # published before its first cohort, retired on updated_on
                end = min(self.q_starts[c["first_q"]] - timedelta(days=14), end)
            day = lambda f: start + timedelta(days=round((end - start).days * f))  # noqa: E731
            hist.created(c["id"], snaps[0], officer[1], start)
            for v in range(2, c["version"] + 1):
                who = hr[(v - 2) % len(hr)] if hr and v % 2 == 0 else officer
                hist.edited(c["id"], v, snaps[v - 2], snaps[v - 1], who[1], day(0.5 * (v - 1) / c["version"]))
            if status == CredentialStatus.draft:
                continue
            hist.status(c["id"], c["version"], "draft", "in_review", officer[1], day(0.6))
            parties = [(self.university_id, officer)] + list(zip(c["partner_ids"], hr))
            if status == CredentialStatus.in_review:
                parties = parties[:1]
            for k, (org, who) in enumerate(parties):
                hist.approved(c["id"], c["version"], org, who, day(0.65 + 0.25 * k / len(parties)))
            if status == CredentialStatus.in_review:
                continue
            hist.status(c["id"], c["version"], "in_review", "approved", parties[-1][1][1], day(0.9),
                        reason="approved by the university and every co-designing employer")
            if status == CredentialStatus.approved:
                continue
            hist.status(c["id"], c["version"], "approved", "published", officer[1], end)
            if status == CredentialStatus.retired:
                hist.status(c["id"], c["version"], "published", "retired", officer[1], c["updated_on"])

    def _snapshot(self, c: dict) -> dict:
        """The credential's content as services/codesign.snapshot writes it (revisions hold these)."""
        names = {i: n for n, i in self.skill_id.items()}
        partners = [(e["id"], e["code"], e["name"]) for e in self.employers if e["id"] in c["partner_ids"]]
        return {
            "code": c["code"], "title": c["title"], "summary": c["summary"], "eqf_level": c["eqf"],
            "ects_credits": str(Decimal(c["ects"]).quantize(Decimal("0.1"))),
            "learning_hours": int(Decimal(c["ects"]) * 25), "delivery_mode": c["mode"],
            "price": str(_money(c["price"])), "outcomes": list(c["outcomes"]),
            "skills": sorted(({"skill_id": sid, "name": names[sid], "proficiency": prof,
                               "esco_uri": esco_uri(names[sid])} for sid, prof in c["skills"]),
                             key=lambda d: (d["name"].lower(), d["skill_id"])),
            "partners": sorted(({"employer_id": i, "code": code, "name": name} for i, code, name in partners),
                               key=lambda d: (d["name"], d["employer_id"])),
        }


def _versions(final: dict, n: int) -> list[tuple[dict, str]]:
    """Snapshots of versions 1..n (with what each changed), worked back from the final content: version 2
    added the last learning outcome, version 3 raised the first skill's proficiency by one."""
    snaps = [(final, "")]
    for v in range(n, 1, -1):
        cur = snaps[0][0]
        if v == 2:
            prev = {**cur, "outcomes": cur["outcomes"][:-1]}
            what = f"Added learning outcome {len(cur['outcomes'])}"
        else:
            first = cur["skills"][0]
            lower = [dict(d, proficiency=d["proficiency"] - 1) if d is first else d for d in cur["skills"]]
            prev = {**cur, "skills": lower if first["proficiency"] > 1 else cur["skills"][1:]}
            what = f"Mapped skill {first['name']} at proficiency {first['proficiency']}"
        snaps[0] = (cur, what)
        snaps.insert(0, (prev, "Created"))
    snaps[0] = (snaps[0][0], "Created")
    return snaps


class _History:
    """Rows of the co-design record (revisions, approvals, audit events), with ids, for the writer."""

    def __init__(self, w: _Writer, ts: _Timestamps, university_id: int):
        self.w, self.ts, self.university_id = w, ts, university_id
        self.event_id = 1  # 1 is the seed's own event, written last
        self.minute = 0

    def _at(self, d: date) -> datetime:
        self.minute += 1  # events of one day keep their order
        return self.ts(d) + timedelta(minutes=self.minute)

    def _event(self, cid: int, actor: str, action: str, at: datetime, before: dict | None, after: dict) -> None:
        self.event_id += 1
        self.w.rows(AuditEvent).append(dict(
            id=self.event_id, occurred_at=at, actor_email=actor, organization_id=self.university_id, action=action,
            entity="Credential", entity_id=str(cid), before=None if before is None else json.dumps(before, sort_keys=True),
            after=json.dumps(after, sort_keys=True)))

    def _revision(self, cid: int, version: int, snap: dict, by: str, at: datetime, summary: str) -> None:
        rows = self.w.rows(CredentialRevision)
        rows.append(dict(id=self.w.counts["credentialrevision"] + len(rows) + 1, credential_id=cid, version=version,
                         snapshot=json.dumps(snap, sort_keys=True), saved_by=by, saved_at=at, summary=summary))

    def created(self, cid: int, snap: tuple[dict, str], by: str, d: date) -> None:
        self.minute = 0  # a credential's events are minutes apart on their days, in order
        at = self._at(d)
        self._revision(cid, 1, snap[0], by, at, snap[1])
        self._event(cid, by, "credential.create", at, None, {"version": 1, **snap[0]})

    def edited(self, cid: int, version: int, before: tuple[dict, str], after: tuple[dict, str], by: str,
               d: date) -> None:
        at = self._at(d)
        self._revision(cid, version, after[0], by, at, after[1])
        keys = [k for k in after[0] if before[0][k] != after[0][k]]
        self._event(cid, by, "credential.edit", at, {"version": version - 1, **{k: before[0][k] for k in keys}},
                    {"version": version, **{k: after[0][k] for k in keys}})

    def status(self, cid: int, version: int, old: str, new: str, by: str, d: date, reason: str = "") -> None:
        after = {"status": new, "version": version, **({"reason": reason} if reason else {})}
        self._event(cid, by, "credential.status", self._at(d), {"status": old}, after)

    def approved(self, cid: int, version: int, org: int, who: tuple[int, str], d: date) -> None:
        at = self._at(d)
        rows = self.w.rows(Approval)
        rows.append(dict(id=self.w.counts["approval"] + len(rows) + 1, credential_id=cid, version=version,
                         organization_id=org, user_id=who[0], approver_email=who[1], approved_at=at))
        self._event(cid, who[1], "credential.approve", at, None, {"version": version, "organization_id": org})


def _main_skill(c: dict) -> tuple[int, int]:
    """A credential's main skill and the proficiency it develops."""
    return c["skills"][0]


# --- Public API ----------------------------------------------------------------


def _clear(conn: Connection) -> int:
    """Delete every row (children first); return the next data version number."""
    dv = DataVersion.__table__
    old = conn.execute(select(dv.c.version).where(dv.c.id == 1)).scalar()
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())
    return (old or 0) + 1


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial id sequence past the ids written explicitly."""
    for table in metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].name != "id":
            continue
        name = table.name
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:t, 'id'), "
            f"COALESCE((SELECT max(id) FROM \"{name}\"), 1), "
            f"(SELECT max(id) FROM \"{name}\") IS NOT NULL)"
        ), {"t": name})


def seed_database(
    engine: Engine, *, employees: int = 2000, seed: int = 7, reset: bool = False, today: date | None = None
) -> dict[str, int]:
    """Write the demo data (one transaction); return the rows written per table.

    With ``reset`` every row of every table is deleted first. Without it the
    database must be empty (ids would collide otherwise).
    """
    if employees < 1:
        raise ValueError("employees must be at least 1")
    today = today or date.today()
    seeder = _Seeder(employees=employees, seed=seed, today=today)
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a bigger page cache for this connection: index inserts stop thrashing
            cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            version = _clear(conn) if reset else 1
            w = _Writer(conn)
            seeder.organisations(w)
            seeder.curriculum(w)
            seeder.cohorts(w)
            w.flush()
            seeder.people(w)
            seeder.learning(w)
            seeder.users(w)
            seeder.design_history(w)
            w.flush()
            # The dashboards read the summary tables: build them in the same transaction.
            summaries.refresh(Session(bind=conn))
            for table in summaries.SUMMARY_TABLES:
                w.counts[table.__tablename__] = conn.execute(
                    select(func.count()).select_from(table.__table__)).scalar()
            counts = {k: v for k, v in w.counts.items() if k not in ("auditevent", "dataversion")}
            now = datetime.now(timezone.utc)
            w.rows(AuditEvent).append(dict(
                id=1, occurred_at=now, actor_email="system:seed", organization_id=None, action="seed",
                entity="database", entity_id=None, before=None,
                after=json.dumps({"seed": seed, "employees": employees, "today": today.isoformat(),
                                  "counts": counts}, sort_keys=True),
            ))
            w.rows(DataVersion).append(dict(id=1, version=version, updated_at=now))
            w.flush()
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
    return {t.name: w.counts[t.name] for t in metadata.sorted_tables}


def is_empty(engine: Engine) -> bool:
    """True when the database has no organisations (nothing seeded or imported yet)."""
    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(Organization.__table__)).scalar()


# The data version counts writes for cache invalidation and keeps increasing
# across resets, so it is not part of the data's fingerprint.
_DIGEST_SKIP_TABLES = frozenset({DataVersion.__table__.name})


def _is_wall_clock(column) -> bool:
    """Timestamp columns (created_at, updated_at, occurred_at, last_login_at, ...)."""
    t = column.type
    return isinstance(t, DateTime) or isinstance(getattr(t, "impl", None), DateTime)


def _canonical(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def digest(engine: Engine, *, on_row: Callable[[str, str], None] | None = None) -> str:
    """sha256 over a canonical dump of every table, for comparing two seeds.

    Rows are ordered by primary key; timestamps (wall-clock) and the data
    version are left out; Decimals have two places, dates are ISO. The same
    data gives the same digest on SQLite and PostgreSQL.
    """
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            if table.name in _DIGEST_SKIP_TABLES:
                continue
            cols = [c for c in table.columns if not _is_wall_clock(c)]
            h.update(f"# {table.name} {','.join(c.name for c in cols)}\n".encode())
            stmt = select(*cols).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=10_000).execute(stmt):
                line = "|".join(_canonical(v) for v in row)
                if on_row is not None:
                    on_row(table.name, line)
                h.update(line.encode())
                h.update(b"\n")
    return h.hexdigest()
