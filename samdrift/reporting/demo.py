"""Demo data of the reporting app: the 2021 report's prose, taken from the source report.

The Swedish texts are the source report's own summary and background (FK 2020-001438,
2021-11-15); the English texts are our translation. Loading is idempotent: an existing text is
left as it is (someone may have edited it).
"""

from __future__ import annotations

from typing import Any

from samdrift.core.actor import SYSTEM

from .models import ReportText
from .services import report_text_save

DEMO_YEAR = 2021

SUMMARY_SV = """Försäkringskassan erbjuder sedan 2017 samordnad, säker statlig it-drift till lämpliga myndigheter och verksamheter. Efter förändring i regeringsuppdraget fokuserar Försäkringskassan sedan 2019 på att bibehålla upparbetade förmågor. Under 2021 har fler standardiserade tjänster kommit att kunna levereras än tidigare år.

Den pågående pandemin har inneburit att Försäkringskassan på kort tid skalat upp it-driften, både för den egna verksamheten och för kundmyndigheter. Förmågan testades hårt initialt eftersom behovet förändras mycket snabbt men kapacitetsbehovet har kunnat mötas med bibehållen kvalitet och servicenivå. Pandemin har också inneburit att Försäkringskassan utvecklat delar av och driftar hela den tekniska infrastrukturen för Covidbevis.

Anslutningar av myndigheter med ett behov av totalåtagande fortsätter men den största gruppen med ny efterfrågan utgörs av större myndigheter som efterfrågar enskilda tjänster och den digitala tjänstelegitimationen EFOS.

För att säkerställa att svenska statstjänstemän kan identifiera sig i tjänsten i andra EU-länder har Försäkringskassan inlett processen att bli godkänd e-legitimation på EU:s högsta tillitsnivå och i den genomförda föranmälan har EU-kommissionen funnit att EFOS uppfyller kraven.

Under 2021 har Försäkringskassan lanserat den första versionen av en samarbetsplattform, SAFOS. Under 2022 kommer tjänsten att vidareutvecklas för att möta fler av Försäkringskassans och kundmyndigheternas behov av plattformen.

Under 2021 har Försäkringskassan deltagit i samverkan med ett antal områden med syfte att öka statsförvaltningens och myndighetens förmåga att erbjuda säkra, lämpliga tjänster. Samverkan omfattar programmet SITSSAM, program 2032 och DSAM.

Behovet av att kunna förebygga, identifiera, hantera och följa upp incidenter och problem inom cybersäkerhetsområdet fortsätter att öka kraftigt varför området Cybersäkerhet byggs ut och kompetensförstärks."""

SUMMARY_EN = """Since 2017 Försäkringskassan has offered coordinated, secure state IT operations to suitable agencies and organisations. After the government assignment was changed, Försäkringskassan has since 2019 focused on maintaining the capabilities it has built up. In 2021 more standardised services could be delivered than in earlier years.

The ongoing pandemic meant that Försäkringskassan scaled up IT operations at short notice, both for its own operations and for customer agencies. The capability was tested hard at first because the need changed very quickly, but the capacity need could be met with quality and service level maintained. The pandemic also meant that Försäkringskassan developed parts of, and operates the whole technical infrastructure for, the Covid certificate (Covidbevis).

Agencies that need the total commitment continue to connect, but the largest group with new demand is larger agencies asking for single services and for the digital service e-ID EFOS.

To make sure that Swedish state officials can identify themselves with the service in other EU countries, Försäkringskassan has begun the process of becoming an approved e-ID at the EU's highest level of assurance, and in the completed pre-notification the European Commission found that EFOS meets the requirements.

In 2021 Försäkringskassan launched the first version of a collaboration platform, SAFOS. In 2022 the service will be developed further to meet more of Försäkringskassan's and the customer agencies' needs of the platform.

In 2021 Försäkringskassan took part in cooperation in a number of areas, aiming to increase the ability of the state administration and of the agency to offer secure, suitable services. The cooperation covers the SITSSAM programme, Program 2032 and DSAM.

The need to prevent, identify, handle and follow up incidents and problems in cyber security keeps growing strongly, which is why the Cyber security area is being expanded and given more expertise."""

BACKGROUND_SV = """Den 24 augusti 2017 fick Försäkringskassan i uppdrag att mellan 2017 och 2020 erbjuda samordnad och säker statlig it-drift för vissa myndigheter.

Uppdraget förlängdes och justerades 2019. Försäkringskassan har inom ramen för sitt uppdrag tidigare delredovisat 2017, 2018, 2019, januari 2020 samt november 2020.

Försäkringskassans initiala mål för uppdraget mellan 2018 och 2020 var att samverkan skulle realiserats med minst två nya kundmyndigheter och inletts med ytterligare tre. Positiva effekter skulle ha uppnåtts och permanenta former vara fastställda. I det förändrade uppdraget från 2019 har en särskild utredning fått uppdraget att föreslå de permanenta formerna.

Målet att inleda samverkan med minst två kundmyndigheter uppnåddes 2018. Utfallet av uppnådda effekter analyserades av en extern leverantör och redovisades i oktober 2019. Denna analys bifogades återrapporteringen januari 2020.

Den pågående utredningen Säker och kostnadseffektiv statlig it-drift (Dir. 2019:64) kommer att presentera sin utvärdering av Försäkringskassans genomförande av uppdraget under 2021. Försäkringskassan har bistått utredningen med det underlag som har efterfrågats och har intervjuats av utredningen vid ett antal tillfällen."""

BACKGROUND_EN = """On 24 August 2017 Försäkringskassan was commissioned to offer coordinated and secure state IT operations to certain agencies between 2017 and 2020.

The assignment was extended and adjusted in 2019. Within the assignment Försäkringskassan has previously submitted interim reports in 2017, 2018, 2019, January 2020 and November 2020.

Försäkringskassan's initial goal for the assignment between 2018 and 2020 was that cooperation should have been realised with at least two new customer agencies and started with three more. Positive effects should have been achieved and permanent forms established. In the assignment as changed in 2019, a special inquiry has been commissioned to propose the permanent forms.

The goal of starting cooperation with at least two customer agencies was reached in 2018. The effects achieved were analysed by an external supplier and reported in October 2019. That analysis was attached to the report of January 2020.

The ongoing inquiry into secure and cost-effective state IT operations (Dir. 2019:64) will present its evaluation of Försäkringskassan's carrying out of the assignment during 2021. Försäkringskassan has given the inquiry the material it asked for and has been interviewed by the inquiry on a number of occasions."""


def load(*, stdout: Any) -> None:
    if ReportText.objects.filter(year=DEMO_YEAR).exists():
        stdout.write(f"reporting: the {DEMO_YEAR} report text exists, left as it is")
        return
    report_text_save(
        actor=SYSTEM,
        year=DEMO_YEAR,
        texts={
            "summary_sv": SUMMARY_SV,
            "summary_en": SUMMARY_EN,
            "background_sv": BACKGROUND_SV,
            "background_en": BACKGROUND_EN,
        },
    )
    stdout.write(f"reporting: the {DEMO_YEAR} report text (summary and background, sv and en)")
