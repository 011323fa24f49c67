"""The demo catalogue: the skills vocabulary, the micro-credentials with their learning outcomes, skills and
co-designing partners, how each sector takes to them, and the pathways that stack them."""

from __future__ import annotations

import uuid

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

# --- The European elements (Council Recommendation on micro-credentials, Annex I) ---------------------
# Every credential past draft has all mandatory elements (the studio refuses review otherwise); the two
# drafts still lack some, so the checklist has something to show. The issuer is in the United Kingdom.

_QA_INTERNAL = "Internal quality assurance of Northbridge University, subject to QAA review"
_QA_PARTNER = ("Internal quality assurance of Northbridge University, subject to QAA review; "
               "the co-designing employers review the workplace assessment each year")
_QA_PROFESSIONAL = ("Internal quality assurance of Northbridge University, subject to QAA review, "
                    "and accredited by the relevant professional body")
_CYCLE = {5: "short_cycle", 6: "first_cycle", 7: "second_cycle"}  # EQF 4 belongs to no higher-education cycle
_STACKS = {pathway["code"]: f"{pathway['title']} pathway ({pathway['code']})" for pathway in PATHWAYS}

# code: (type of assessment, type of quality assurance, supervision of the assessment, prerequisites)
_ELEMENTS: dict[str, tuple[str, str, str | None, str]] = {
    "MC-DATA-101": ("Data analysis portfolio and a short online test, marked against the learning outcomes",
                    _QA_INTERNAL, "unsupervised_no_identity_check", ""),
    "MC-DATA-201": ("Project report and oral presentation, marked against the learning outcomes", _QA_INTERNAL,
                    "supervised_no_identity_check", "MC-DATA-101 or equivalent experience with spreadsheets"),
    "MC-DATA-301": ("Modelling project with a written report, and a proctored online exam", _QA_INTERNAL,
                    "supervised_identity_check", "MC-DATA-201 or working knowledge of Python"),
    "MC-CLD-101": ("Practical labs in a cloud sandbox and a proctored online exam", _QA_PROFESSIONAL,
                   "supervised_identity_check", ""),
    "MC-CLD-201": ("Build-and-run project assessed in the workplace, with a technical interview", _QA_PARTNER,
                   "supervised_no_identity_check", "MC-CLD-101 or equivalent experience"),
    "MC-CYB-101": ("Online scenario quizzes, marked automatically against the learning outcomes", _QA_INTERNAL,
                   "unsupervised_no_identity_check", ""),
    "MC-CYB-201": ("Incident response simulation and a written incident report", _QA_PROFESSIONAL,
                   "supervised_identity_check", "MC-CYB-101"),
    "MC-LEAD-101": ("Reflective portfolio and an observed one-to-one, marked against the learning outcomes",
                    _QA_PARTNER, "supervised_no_identity_check", "Currently leading or about to lead a team"),
    "MC-LEAD-201": ("Change plan for the learner's own organisation, presented to a panel", _QA_PARTNER,
                    "supervised_identity_check", "MC-LEAD-101 or two years of line management"),
    "MC-LEAD-301": ("Strategy paper and a viva with two assessors", _QA_INTERNAL, "supervised_identity_check",
                    "A senior leadership role"),
    "MC-HLTH-101": ("Case study report on a clinical information system, and an oral examination",
                    _QA_PROFESSIONAL, "supervised_identity_check", "Registered health or care professional"),
    "MC-OPS-101": ("Improvement project in the learner's workplace, assessed by a workplace mentor and a tutor",
                   _QA_PARTNER, "supervised_no_identity_check", ""),
    "MC-SCM-201": ("Analytics project report and a timed online exam", _QA_INTERNAL,
                   "supervised_identity_check", ""),
    "MC-FIN-101": ("Budget case study and an online multiple-choice test", _QA_INTERNAL,
                   "unsupervised_no_identity_check", ""),
    "MC-PM-101": ("Project plan and retrospective, with a presentation to the cohort", _QA_INTERNAL,
                  "supervised_no_identity_check", ""),
    # Drafts, still being designed: one lacks both texts, the other its quality assurance.
    "MC-SUS-101": ("", "", None, ""),
    "MC-CX-101": ("Customer journey redesign presented to a panel of the co-designing employer", "",
                  "supervised_no_identity_check", ""),
}


def european_elements(spec: dict) -> dict:
    """The Annex I fields of a credential spec, as the Credential row (and its snapshot) holds them."""
    assessment, quality, supervision, prerequisites = _ELEMENTS[spec["code"]]
    pathways = [pathway["code"] for pathway in PATHWAYS if spec["code"] in pathway["steps"]]
    return {
        "issuer_country": "GB", "qualification_cycle": _CYCLE.get(spec["eqf"]), "assessment_type": assessment,
        "quality_assurance": quality, "prerequisites": prerequisites, "assessment_supervision": supervision,
        "stackability": "stackable" if pathways else "stand_alone",
        "stacks_towards": "; ".join(_STACKS[code] for code in pathways),
        "further_information": f"https://www.northbridge.ac.uk/micro-credentials/{spec['code'].lower()}",
    }
