"""The demo organisations: Northbridge University, its eight employer partners and their departments,
and the names the demo employees are drawn from."""

from __future__ import annotations

# --- Organisations -------------------------------------------------------------

UNIVERSITY = {
    "code": "NBU",
    "name": "Northbridge University",
    "sector": "Higher education",
    "domain": "northbridge.ac.uk",
    "country": "GB",
    "legal_identifier": "UKPRN 10001234",  # the awarding body's legal identifier: its UK Provider Reference Number
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


def _department(name, weight, track, head, lead, titles):
    return (name, weight, track, head, lead, titles)


_FINANCE = _department("Finance", 5, "fin", "Finance Director", "Finance Manager",
                       ["Management Accountant", "Finance Officer", "Financial Analyst", "Payroll Officer"])
_HR = _department("People & HR", 4, "people", "HR Director", "HR Business Partner",
                  ["HR Advisor", "Recruitment Officer", "Learning & Development Officer"])
_HSE = _department("Health & Safety", 3, "ops", "Head of Health & Safety", "SHE Manager",
                   ["Health & Safety Advisor", "Environmental Advisor"])
_CUSTOMER = _department("Customer Service", 10, "cx", "Head of Customer Service", "Customer Service Team Leader",
                        ["Customer Service Adviser", "Account Coordinator", "Complaints Handler"])

DEPARTMENTS: dict[str, list[tuple]] = {
    "Healthcare": [
        _department("Nursing & Midwifery", 32, "care", "Director of Nursing", "Ward Manager",
                    ["Staff Nurse", "Senior Staff Nurse", "Healthcare Assistant", "Midwife"]),
        _department("Emergency Medicine", 9, "care", "Clinical Director, Emergency Medicine", "Consultant",
                    ["Emergency Nurse Practitioner", "Specialty Doctor", "Paramedic Practitioner"]),
        _department("Surgery", 12, "care", "Clinical Director, Surgery", "Theatre Manager",
                    ["Theatre Practitioner", "Surgical Care Practitioner", "Specialty Registrar"]),
        _department("Pharmacy", 5, "care", "Chief Pharmacist", "Lead Pharmacist",
                    ["Clinical Pharmacist", "Pharmacy Technician"]),
        _department("Radiology", 6, "care", "Head of Imaging", "Lead Radiographer",
                    ["Diagnostic Radiographer", "Sonographer", "Imaging Assistant"]),
        _department("Digital & IT", 6, "tech", "Chief Information Officer", "IT Service Manager",
                    ["Clinical Systems Analyst", "Service Desk Analyst", "Infrastructure Engineer", "Data Analyst"]),
        _department("Estates & Facilities", 10, "ops", "Director of Estates", "Facilities Supervisor",
                    ["Porter", "Maintenance Technician", "Domestic Assistant"]),
        _FINANCE,
        _department("People & Workforce", 4, "people", "Director of People", "HR Business Partner",
                    ["HR Advisor", "Workforce Planner", "Learning & Development Officer"]),
    ],
    "Financial services": [
        _department("Retail Banking", 25, "cx", "Head of Retail Banking", "Branch Manager",
                    ["Customer Adviser", "Personal Banker", "Mortgage Adviser"]),
        _department("Commercial Banking", 12, "fin", "Head of Commercial Banking", "Relationship Director",
                    ["Relationship Manager", "Credit Analyst", "Associate"]),
        _department("Risk & Compliance", 12, "fin", "Chief Risk Officer", "Compliance Manager",
                    ["Risk Analyst", "Compliance Officer", "Financial Crime Investigator"]),
        _department("Technology", 18, "tech", "Chief Technology Officer", "Engineering Manager",
                    ["Software Engineer", "Cloud Engineer", "Security Analyst", "Business Analyst"]),
        _department("Data & Analytics", 7, "data", "Chief Data Officer", "Analytics Manager",
                    ["Data Analyst", "Data Scientist", "Data Engineer"]),
        _department("Operations", 14, "ops", "Head of Operations", "Operations Team Leader",
                    ["Operations Analyst", "Payments Officer", "Process Improvement Analyst"]),
        _FINANCE,
        _HR,
    ],
    "Public administration": [
        _department("Adult Social Care", 20, "care", "Director of Adult Social Care", "Team Manager",
                    ["Social Worker", "Care Coordinator", "Occupational Therapist"]),
        _department("Children's Services", 18, "care", "Director of Children's Services", "Practice Manager",
                    ["Children's Social Worker", "Family Support Worker", "Education Welfare Officer"]),
        _department("Housing", 12, "cx", "Head of Housing", "Housing Team Leader",
                    ["Housing Officer", "Tenancy Sustainment Officer", "Lettings Officer"]),
        _department("Planning & Regeneration", 8, "gen", "Head of Planning", "Principal Planner",
                    ["Planning Officer", "Regeneration Officer", "Building Control Surveyor"]),
        _department("Environmental Services", 16, "ops", "Head of Environmental Services", "Operations Supervisor",
                    ["Environmental Health Officer", "Waste Services Operative", "Parks Officer"]),
        _department("Revenues & Benefits", 10, "fin", "Head of Revenues & Benefits", "Benefits Team Leader",
                    ["Benefits Assessor", "Revenues Officer", "Customer Services Officer"]),
        _department("Digital Services", 6, "tech", "Head of Digital", "Digital Delivery Manager",
                    ["Systems Analyst", "Data Analyst", "Service Designer", "Infrastructure Engineer"]),
        _FINANCE,
        _HR,
    ],
    "Transport and logistics": [
        _department("Warehouse Operations", 35, "ops", "Head of Warehouse Operations", "Shift Manager",
                    ["Warehouse Operative", "Forklift Driver", "Stock Controller"]),
        _department("Transport Planning", 10, "ops", "Head of Transport", "Transport Manager",
                    ["Transport Planner", "Route Planner", "Traffic Clerk"]),
        _department("Fleet & Drivers", 25, "ops", "Fleet Director", "Fleet Supervisor",
                    ["HGV Driver", "Van Driver", "Fleet Technician"]),
        _CUSTOMER,
        _HSE,
        _department("IT & Systems", 6, "tech", "Head of IT", "IT Manager",
                    ["Systems Analyst", "WMS Support Analyst", "Data Analyst", "Network Engineer"]),
        _FINANCE,
    ],
    "Manufacturing": [
        _department("Production", 35, "ops", "Production Director", "Production Supervisor",
                    ["Production Operative", "Machine Operator", "Assembly Technician"]),
        _department("Quality Assurance", 10, "ops", "Head of Quality", "Quality Manager",
                    ["Quality Inspector", "Quality Engineer"]),
        _department("Engineering", 14, "tech", "Engineering Director", "Engineering Manager",
                    ["Mechanical Engineer", "Electrical Engineer", "Automation Engineer"]),
        _department("Maintenance", 10, "ops", "Maintenance Manager", "Maintenance Supervisor",
                    ["Maintenance Technician", "Multi-skilled Engineer"]),
        _department("Supply Chain", 10, "ops", "Head of Supply Chain", "Planning Manager",
                    ["Buyer", "Production Planner", "Logistics Coordinator"]),
        _department("Research & Development", 8, "data", "Head of R&D", "R&D Manager",
                    ["Research Scientist", "Product Development Engineer", "Data Analyst"]),
        _HSE,
        _FINANCE,
    ],
    "Retail": [
        _department("Stores", 55, "cx", "Retail Director", "Store Manager",
                    ["Sales Assistant", "Customer Assistant", "Assistant Store Manager", "Visual Merchandiser"]),
        _department("E-commerce", 8, "tech", "Head of E-commerce", "Digital Trading Manager",
                    ["Web Developer", "Digital Marketing Executive", "Data Analyst"]),
        _department("Buying & Merchandising", 8, "data", "Head of Buying", "Senior Buyer",
                    ["Buyer", "Merchandiser", "Allocator"]),
        _department("Distribution", 15, "ops", "Head of Distribution", "Distribution Centre Manager",
                    ["Warehouse Operative", "Stock Controller", "Delivery Driver"]),
        _CUSTOMER,
        _department("Marketing", 4, "cx", "Marketing Director", "Marketing Manager",
                    ["Marketing Executive", "CRM Analyst"]),
        _FINANCE,
    ],
    "Energy and utilities": [
        _department("Network Operations", 20, "ops", "Director of Network Operations", "Control Room Manager",
                    ["Control Engineer", "Network Planner", "Outage Coordinator"]),
        _department("Field Engineering", 30, "ops", "Head of Field Operations", "Field Team Leader",
                    ["Field Engineer", "Craftsperson", "Cable Jointer"]),
        _department("Renewables", 12, "tech", "Head of Renewables", "Project Manager",
                    ["Project Engineer", "Asset Engineer", "Environmental Consultant"]),
        _department("Customer Operations", 15, "cx", "Head of Customer Operations", "Customer Team Leader",
                    ["Customer Service Adviser", "Metering Analyst", "Complaints Handler"]),
        _department("Data & Analytics", 8, "data", "Head of Data & Analytics", "Analytics Manager",
                    ["Data Analyst", "Data Scientist", "Data Engineer"]),
        _HSE,
        _FINANCE,
    ],
    "Software": [
        _department("Engineering", 40, "tech", "VP Engineering", "Engineering Manager",
                    ["Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "QA Engineer"]),
        _department("Product", 10, "gen", "VP Product", "Group Product Manager",
                    ["Product Manager", "Product Analyst"]),
        _department("Data", 10, "data", "Head of Data", "Data Science Lead",
                    ["Data Scientist", "Data Engineer", "Analytics Engineer"]),
        _department("Design", 6, "cx", "Head of Design", "Design Lead",
                    ["Product Designer", "UX Researcher"]),
        _department("Customer Success", 14, "cx", "VP Customer Success", "Customer Success Team Lead",
                    ["Customer Success Manager", "Support Engineer", "Implementation Consultant"]),
        _department("Sales & Marketing", 14, "cx", "Chief Revenue Officer", "Sales Manager",
                    ["Account Executive", "Sales Development Representative", "Marketing Manager"]),
        _department("People & Operations", 6, "people", "Head of People", "People Partner",
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
