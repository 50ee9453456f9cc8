// SPDX-License-Identifier: Apache-2.0
// The staff pages' words in English and Welsh (see staff_words.h).
#include "staff_words.h"

#include <map>
#include <mutex>

#include "html_page.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

struct Words {
  const char* en;
  const char* cy;
};

const std::map<std::string_view, Words>& Table() {
  static const std::map<std::string_view, Words> kTable = {
      // Hold and confirm.
      {"reason.RECIPIENTS_CHECKED", {"I have checked the recipients: they are the right people",
                                     "Rwyf wedi gwirio'r derbynwyr: nhw yw'r bobl gywir"}},
      {"reason.SHARING_AGREEMENT", {"The recipient is entitled to this information (for example under a data-sharing agreement)",
                                    "Mae gan y derbynnydd hawl i'r wybodaeth hon (er enghraifft dan gytundeb rhannu data)"}},
      {"reason.DATA_SUBJECT_REQUEST", {"The person the information is about asked me to send it",
                                       "Gofynnodd y person y mae'r wybodaeth amdano imi ei hanfon"}},
      {"reason.OTHER", {"Something else (please say below)", "Rhywbeth arall (dywedwch isod)"}},
      {"state.released", {"This email has already been sent.", "Mae'r e-bost hwn eisoes wedi'i anfon."}},
      {"state.partially_released", {"This email has already been sent to the recipients that were not flagged.",
                                    "Mae'r e-bost hwn eisoes wedi'i anfon at y derbynwyr na thynnwyd sylw atynt."}},
      {"state.cancelled", {"This email was cancelled and deleted. It was not sent.",
                           "Cafodd yr e-bost hwn ei ganslo a'i ddileu. Ni chafodd ei anfon."}},
      {"state.expired", {"The time to confirm has passed. The email was deleted and not sent.",
                         "Mae'r amser i gadarnhau wedi mynd heibio. Cafodd yr e-bost ei ddileu ac ni chafodd ei anfon."}},
      {"state.releasing", {"This email is being sent now.", "Mae'r e-bost hwn yn cael ei anfon nawr."}},
      {"state.other", {"This email is no longer waiting for you.", "Nid yw'r e-bost hwn yn aros amdanoch mwyach."}},
      {"link_invalid", {"This link is not valid", "Nid yw'r ddolen hon yn ddilys"}},
      {"link_invalid.hold", {"The link may have been copied incompletely, or it belongs to another message.",
                             "Efallai nad yw'r ddolen wedi'i chopïo'n llawn, neu mae'n perthyn i neges arall."}},
      {"link_invalid.report", {"The link may have been copied incompletely.", "Efallai nad yw'r ddolen wedi'i chopïo'n llawn."}},
      {"nothing_to_do", {"Nothing to do", "Dim i'w wneud"}},
      {"check_form", {"Please check the form", "Gwiriwch y ffurflen"}},
      {"check_form.missing", {"Something in the form is missing.", "Mae rhywbeth ar goll o'r ffurflen."}},
      {"wrong", {"Something went wrong", "Aeth rhywbeth o'i le"}},
      {"wrong.hold", {"The message could not be handled just now ({why}). Nothing has been sent. Please try the link again in a "
                      "few minutes.",
                      "Nid oedd modd delio â'r neges ar hyn o bryd ({why}). Nid oes dim wedi'i anfon. Rhowch gynnig ar y ddolen "
                      "eto ymhen ychydig funudau."}},
      {"wrong.milter", {"the mail filter did not answer", "ni atebodd yr hidlydd post"}},
      {"hold.title", {"Your email has not been sent yet", "Nid yw eich e-bost wedi'i anfon eto"}},
      {"hold.subject", {"Subject", "Pwnc"}},
      {"hold.recipients", {"Recipients", "Derbynwyr"}},
      {"hold.flagged", {"flagged", "wedi'i nodi"}},
      {"hold.cancel_button", {"Do not send it (delete it)", "Peidiwch â'i anfon (dilëwch ef)"}},
      {"hold.cancel", {"Cancel", "Canslo"}},
      {"hold.nothing_sent", {"Nothing will be sent.", "Ni chaiff dim ei anfon."}},
      {"hold.send_anyway", {"Send it anyway", "Ei anfon beth bynnag"}},
      {"hold.why", {"Why should it be sent?", "Pam y dylid ei anfon?"}},
      {"hold.text", {"Anything the information governance team should know (no personal details, please; up to 500 characters)",
                     "Unrhyw beth y dylai'r tîm llywodraethu gwybodaeth ei wybod (dim manylion personol, os gwelwch yn dda; hyd "
                     "at 500 nod)"}},
      {"hold.send_to", {"Send to", "Anfon at"}},
      {"hold.everyone", {"Everyone", "Pawb"}},
      {"hold.except", {"Everyone except the flagged recipients", "Pawb heblaw'r derbynwyr y tynnwyd sylw atynt"}},
      {"hold.send", {"Send it", "Anfon"}},
      {"hold.or_cancel", {"Or cancel", "Neu ganslo"}},
      {"hold.expires", {"If you do nothing, the email is deleted at {when}. This page works once.",
                        "Os na wnewch ddim, caiff yr e-bost ei ddileu am {when}. Mae'r dudalen hon yn gweithio unwaith."}},
      {"hold.expires_default", {"the end of the waiting time", "ddiwedd yr amser aros"}},
      {"hold.off", {"Held messages are not enabled here.", "Nid yw negeseuon a ddaliwyd wedi'u galluogi yma."}},
      {"not_available", {"Not available", "Ddim ar gael"}},
      {"not_found", {"Page not found", "Heb ddod o hyd i'r dudalen"}},
      {"not_found.text", {"There is no page at this address.", "Does dim tudalen yn y cyfeiriad hwn."}},
      {"not_allowed", {"Not allowed", "Ni chaniateir"}},
      {"use_buttons", {"Use the buttons on the page.", "Defnyddiwch y botymau ar y dudalen."}},
      {"use_button", {"Use the button on the page.", "Defnyddiwch y botwm ar y dudalen."}},
      {"form_expired", {"This form has expired", "Mae'r ffurflen hon wedi dod i ben"}},
      {"form_expired.text", {"Please open the link in the email again.", "Agorwch y ddolen yn yr e-bost eto."}},
      {"cancelled", {"Cancelled", "Wedi'i ganslo"}},
      {"cancelled.text", {"The email was deleted. It was not sent to anyone.", "Cafodd yr e-bost ei ddileu. Ni chafodd ei anfon at neb."}},
      {"sent", {"Sent", "Wedi'i anfon"}},
      {"sent.partial", {"Your email has been sent to the recipients that were not flagged.",
                        "Mae eich e-bost wedi'i anfon at y derbynwyr na thynnwyd sylw atynt."}},
      {"sent.all", {"Your email has been sent.", "Mae eich e-bost wedi'i anfon."}},
      {"sent.recorded", {"Your reason has been recorded for the information governance team.",
                         "Mae eich rheswm wedi'i gofnodi ar gyfer y tîm llywodraethu gwybodaeth."}},
      // Self-report and the general breach report.
      {"report.title", {"Report an email sent to the wrong person", "Rhoi gwybod am e-bost a anfonwyd at y person anghywir"}},
      {"report.intro", {"Sent an email to the wrong person, or with the wrong attachment? Lost papers or a laptop, or something "
                        "else happened to personal information? Telling us at once is the right thing to do: the information "
                        "governance team has 72 hours to decide whether to report it to the ICO, and can often ask the recipient "
                        "to delete it. The link we email you lists your recent emails and has a form for anything else.",
                        "Wedi anfon e-bost at y person anghywir, neu gyda'r atodiad anghywir? Wedi colli papurau neu liniadur, "
                        "neu ddigwyddodd rhywbeth arall i wybodaeth bersonol? Dweud wrthym ar unwaith yw'r peth iawn i'w wneud: "
                        "mae gan y tîm llywodraethu gwybodaeth 72 awr i benderfynu a ddylid rhoi gwybod i'r ICO, ac yn aml gall "
                        "ofyn i'r derbynnydd ei ddileu. Mae'r ddolen a anfonwn atoch yn rhestru eich negeseuon e-bost diweddar ac "
                        "mae ffurflen ar gyfer unrhyw beth arall."}},
      {"report.email", {"Your work email address", "Eich cyfeiriad e-bost gwaith"}},
      {"report.request", {"Email me a link", "Anfonwch ddolen ataf"}},
      {"report.request_note", {"We email you a link that lists what you sent in the last week. Only your own work address can "
                               "receive it.",
                               "Rydym yn anfon dolen atoch sy'n rhestru'r hyn a anfonwyd gennych yn ystod yr wythnos ddiwethaf. Dim "
                               "ond eich cyfeiriad gwaith eich hun all ei derbyn."}},
      {"report.used", {"This link cannot be used again", "Ni ellir defnyddio'r ddolen hon eto"}},
      {"report.wrong", {"The report could not be handled just now. Please try again in a few minutes, or tell your information "
                        "governance team directly.",
                        "Nid oedd modd delio â'r adroddiad ar hyn o bryd. Rhowch gynnig arall arni ymhen ychydig funudau, neu "
                        "dywedwch wrth eich tîm llywodraethu gwybodaeth yn uniongyrchol."}},
      {"send.to", {"to", "at"}},
      {"send.no_recipients", {"(no recipients)", "(dim derbynwyr)"}},
      {"send.nothing_found", {"nothing sensitive found", "ni chafwyd hyd i ddim byd sensitif"}},
      {"send.found", {"sendguard found {findings}", "daeth sendguard o hyd i {findings}"}},
      {"type.INCORRECT_RECIPIENT", {"Information given to the wrong person (a letter, a call, a handover)",
                                    "Gwybodaeth wedi'i rhoi i'r person anghywir (llythyr, galwad, trosglwyddiad)"}},
      {"type.LOST_INFORMATION", {"Papers, a laptop, a phone or a memory stick lost or stolen",
                                 "Papurau, gliniadur, ffôn neu gof bach wedi'u colli neu eu dwyn"}},
      {"type.INSECURE_LOCATION", {"Papers or records left somewhere anyone could see them",
                                  "Papurau neu gofnodion wedi'u gadael rywle lle gallai unrhyw un eu gweld"}},
      {"type.UNAUTHORISED_ACCESS", {"Someone looked at records without a need to", "Edrychodd rhywun ar gofnodion heb fod angen"}},
      {"type.DISCLOSED_ONLINE", {"Personal information published online by mistake",
                                 "Gwybodaeth bersonol wedi'i chyhoeddi ar-lein trwy gamgymeriad"}},
      {"type.CYBER_INCIDENT", {"A cyber attack, phishing or a virus", "Ymosodiad seiber, gwe-rwydo neu feirws"}},
      {"type.OTHER", {"Something else", "Rhywbeth arall"}},
      {"general.summary", {"Something else happened (not one of these emails)",
                           "Digwyddodd rhywbeth arall (nid un o'r negeseuon e-bost hyn)"}},
      {"general.what_happened", {"What happened?", "Beth ddigwyddodd?"}},
      {"general.when", {"When did you find out?", "Pryd daethoch chi i wybod?"}},
      {"general.describe", {"What happened? (no personal details, please; up to 1,000 characters)",
                            "Beth ddigwyddodd? (dim manylion personol, os gwelwch yn dda; hyd at 1,000 nod)"}},
      {"general.check", {"Say what happened, when you found out, and in a few words how.",
                         "Dywedwch beth ddigwyddodd, pryd daethoch chi i wybod, ac mewn ychydig eiriau sut."}},
      {"your_name", {"Your name", "Eich enw"}},
      {"report.button", {"Report it", "Rhoi gwybod"}},
      {"list.title", {"Which email went to the wrong person?", "Pa e-bost aeth at y person anghywir?"}},
      {"list.none", {"sendguard has no record of emails from you in the last week. If something else happened, tell us here.",
                     "Nid oes gan sendguard gofnod o negeseuon e-bost gennych yn ystod yr wythnos ddiwethaf. Os digwyddodd "
                     "rhywbeth arall, dywedwch wrthym yma."}},
      {"list.legend", {"Your emails (newest first; the time is the gateway's)",
                       "Eich negeseuon e-bost (y diweddaraf yn gyntaf; amser y porth yw'r amser)"}},
      {"list.what_wrong", {"What went wrong? (no personal details, please; up to 1,000 characters)",
                           "Beth aeth o'i le? (dim manylion personol, os gwelwch yn dda; hyd at 1,000 nod)"}},
      {"list.once", {"This link works once.", "Mae'r ddolen hon yn gweithio unwaith."}},
      {"list.title_breach", {"Report a breach", "Rhoi gwybod am dor data"}},
      {"list.title_email", {"Report an email", "Rhoi gwybod am e-bost"}},
      {"list.choose", {"Choose the email that went to the wrong person.", "Dewiswch yr e-bost a aeth at y person anghywir."}},
      {"filed_failed", {"The report could not be filed", "Nid oedd modd cyflwyno'r adroddiad"}},
      {"filed_failed.tell", {"Please tell your information governance team directly.",
                             "Dywedwch wrth eich tîm llywodraethu gwybodaeth yn uniongyrchol."}},
      {"filed_failed.used", {"The link has been used: ask for a new one, or tell the information governance team directly.",
                             "Mae'r ddolen wedi'i defnyddio: gofynnwch am un newydd, neu dywedwch wrth y tîm llywodraethu gwybodaeth "
                             "yn uniongyrchol."}},
      {"filed_failed.email", {"The report could not be filed. Please tell your information governance team directly.",
                              "Nid oedd modd cyflwyno'r adroddiad. Dywedwch wrth eich tîm llywodraethu gwybodaeth yn "
                              "uniongyrchol."}},
      {"reported", {"Reported", "Wedi rhoi gwybod"}},
      {"reported.heading", {"Thank you: it has been reported", "Diolch: rydych wedi rhoi gwybod"}},
      {"reported.text", {"The information governance team has been told (reference {ref}) and will be in touch.",
                         "Mae'r tîm llywodraethu gwybodaeth wedi cael gwybod (cyfeirnod {ref}) a bydd yn cysylltu â chi."}},
      {"reported.recipient", {"They may ask the recipient to delete the email; please do not contact the recipient about it "
                              "yourself unless they ask you to.",
                              "Efallai y byddant yn gofyn i'r derbynnydd ddileu'r e-bost; peidiwch â chysylltu â'r derbynnydd "
                              "amdano eich hun oni bai eu bod yn gofyn i chi wneud hynny."}},
      {"report.off", {"Self-reporting through this site is not enabled: tell your information governance team directly.",
                      "Nid yw rhoi gwybod trwy'r wefan hon wedi'i alluogi: dywedwch wrth eich tîm llywodraethu gwybodaeth yn "
                      "uniongyrchol."}},
      {"use_form", {"Use the form.", "Defnyddiwch y ffurflen."}},
      {"form_expired.retry", {"The form had expired: please try again.", "Roedd y ffurflen wedi dod i ben: rhowch gynnig arall arni."}},
      {"report.give_email", {"Please give your work email address.", "Rhowch eich cyfeiriad e-bost gwaith."}},
      {"check_email", {"Check your email", "Edrychwch ar eich e-bost"}},
      {"check_email.text", {"If {email} is a work address here, a link is on its way to it. It works once, for a day.",
                            "Os yw {email} yn gyfeiriad gwaith yma, mae dolen ar ei ffordd ato. Mae'n gweithio unwaith, am ddiwrnod."}},
      {"switch", {"Cymraeg", "English"}},
  };
  return kTable;
}

}  // namespace

const std::string& Say(const std::string& language, std::string_view id) {
  static const std::map<std::string_view, std::pair<std::string, std::string>> kStrings = [] {
    std::map<std::string_view, std::pair<std::string, std::string>> out;
    for (const auto& [key, w] : Table()) out[key] = {w.en, w.cy};
    return out;
  }();
  static std::map<std::string, std::string, std::less<>> unknown;
  auto it = kStrings.find(id);
  if (it == kStrings.end()) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    return unknown.try_emplace(std::string(id), std::string(id)).first->second;
  }
  return language == "cy" ? it->second.second : it->second.first;
}

std::string StaffLanguage(const common::HttpRequest& request, const std::vector<std::pair<std::string, std::string>>& form,
                          const std::string& fallback) {
  std::string lang = common::FormValue(form, "lang");
  if (lang.empty()) lang = request.Query("lang");
  if (lang == "cy" || lang == "en") return lang;
  return fallback == "cy" ? "cy" : "en";
}

std::string LanguageSwitch(const std::string& language, const std::string& url) {
  const std::string other = language == "cy" ? "en" : "cy";
  const size_t q = url.find('?');
  std::string target = url.substr(0, q), sep = "?";
  if (q != std::string::npos) {
    for (std::string_view part : common::Split(std::string_view(url).substr(q + 1), '&')) {
      if (part.empty() || part.rfind("lang=", 0) == 0) continue;
      target += sep + std::string(part);
      sep = "&";
    }
  }
  target += sep + "lang=" + other;
  return "<p class=\"language\"><a id=\"language-switch\" lang=\"" + other + "\" hreflang=\"" + other + "\" href=\"" +
         HtmlEscape(target) + "\">" + HtmlEscape(Say(language, "switch")) + "</a></p>\n";
}

std::vector<std::string> StaffWordIds() {
  std::vector<std::string> out;
  for (const auto& [key, w] : Table()) out.emplace_back(key);
  return out;
}

}  // namespace sendguard::incident
