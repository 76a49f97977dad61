// Every string the portal shows, in English and French. The chosen language sticks (localStorage).

const CATALOGUES = {
  en: {
    "app.title": "Caseway provider portal",
    "app.skip": "Skip to content",
    "app.language": "Language",
    "app.signOut": "Sign out",
    "app.signedInAs": "Signed in as {name}",
    "app.loading": "Loading…",
    "app.colon": ": ",
    "app.retry": "Try again",
    "nav.inbox": "Referrals",
    "nav.schedules": "Schedules",
    "nav.sessions": "Sessions",
    "nav.facilities": "My facilities",
    "error.network": "Caseway cannot be reached. Check your connection and try again.",
    "error.timeout": "Caseway is taking too long to answer. Try again in a moment.",
    "error.server": "Something went wrong on our side. Try again in a moment.",
    "error.not-found": "This page does not exist, or it is not yours to see.",
    "error.forbidden": "Your role cannot do this.",
    "error.invalid": "This was refused: {message}",
    "error.expired": "Your session has ended. Sign in again.",
    // A page that could not be drawn: its heading, by kind of failure (the message says more).
    "failed.network": "Caseway cannot be reached",
    "failed.timeout": "Caseway is not answering",
    "failed.server": "Something went wrong",
    "failed.not-found": "Page not found",
    "failed.forbidden": "Not allowed",
    "failed.invalid": "Refused",
    "failed.unauthenticated": "Session ended",
    // The API's error codes (errors { code field message }): "apiError.CODE:field" for one field, else
    // "apiError.CODE.field" with the field's label, else "apiError.CODE". The server's words show only for codes
    // missing here.
    "apiError.UNAUTHENTICATED": "Your session has ended. Sign in again.",
    "apiError.FORBIDDEN": "Your role cannot do this.",
    "apiError.NOT_FOUND": "This record does not exist, or it is not yours to see.",
    "apiError.NOT_FOUND.field": "{label}: this record does not exist, or it is not yours to see.",
    "apiError.INVALID": "Some of what you entered is not accepted. Check it and try again.",
    "apiError.INVALID.field": "{label}: this value is not accepted. Check it and try again.",
    "apiError.REQUIRED": "Fill in every required field.",
    "apiError.REQUIRED.field": "{label} is required.",
    "apiError.CONFLICT":
      "This could not be saved: it was changed meanwhile, or it cannot be done in its current state. Reload to see where it stands.",
    "apiError.CONFLICT:id":
      "This cannot be done in its current status: someone may have changed it meanwhile. Reload to see where it stands.",
    "apiError.CONFLICT:expectedVersion": "Someone else changed this meanwhile. Reload to see where it stands, then try again.",
    "apiError.GRAPHQL_VALIDATION_FAILED": "The portal sent a request Caseway does not understand. Reload the page and try again.",
    "apiError.INVALID:email": "Enter a valid email address, such as name@example.org.",
    "apiError.INVALID:phone": "Enter a valid phone number: digits, spaces and + ( ) . - only.",
    "apiError.INVALID:website": "Enter a full web address that starts with http:// or https://.",
    "apiError.INVALID:accessibilityNotes": "Keep the accessibility notes to 2,000 characters at most.",
    "apiError.CONFLICT:sessionId": "This session is not open for this: it was cancelled, postponed or changed. Reload the page.",
    "apiError.INVALID:marks.participantId":
      "Someone on this list is no longer on the roster, or is marked twice. Reload the page and save again.",
    "apiError.REQUIRED:marks": "Mark everyone on the roster before saving.",
    "apiError.REQUIRED:reason": "Choose a reason.",
    "apiError.INVALID:reason": "This step takes no reason: leave it out (a note may say more).",
    "apiError.REQUIRED:note": "Say why in the note.",
    "apiError.CONFLICT:scheduleId": "The client is already enrolled or waitlisted in this schedule, or it takes no more enrollments.",
    "apiError.INVALID:scheduleId": "Choose an approved schedule that delivers this referral's benefit.",
    "apiError.INVALID:fromDate": "The schedule has no sessions left from that date.",
    "apiError.INVALID:facilityId": "Choose one of your active facilities.",
    "apiError.INVALID:benefitId": "Schedule only benefits referred to your provider.",
    "apiError.INVALID:timeZone": "Enter a time zone by its name, such as America/Chicago.",
    "apiError.INVALID:firstStart": "These days and times make no session: check the first day and the repeats.",
    "apiError.INVALID:firstEnd": "A session ends after it starts, and lasts 24 hours at most.",
    "apiError.INVALID:interval": "Repeat every 1 to 52 days, weeks or months.",
    "apiError.INVALID:count": "A schedule has 1 to 500 sessions.",
    "apiError.INVALID:until":
      "Give an end date after the first day, or a number of sessions (500 at most).",
    "apiError.INVALID:weekdays": "Choose the days of a weekly schedule.",
    "apiError.INVALID:capacity": "Places per session: a whole number from 1 to 10,000.",
    "apiError.INVALID:defaultQuantity": "Units per attendance: a number such as 1 or 1.5.",
    "field.fromDate": "Start date",
    "field.weekdays": "Days",
    "field.marks": "Attendance",
    "field.participant": "Participant",
    "field.mark": "Mark",
    "signIn.title": "Sign in",
    "signIn.intro": "For the staff of Caseway's service providers.",
    "signIn.email": "Email",
    "signIn.password": "Password",
    "signIn.submit": "Sign in",
    "signIn.wrong": "Wrong email or password.",
    "signIn.agency": "The portal is for provider staff. Agency staff use Caseway through the API and GraphiQL.",
    "signIn.missing": "Enter your email and password.",
    "signIn.throttled": "Too many failed sign-ins: try again later.",
    "signIn.busy": "Too many sign-ins at once: try again in a moment.",
    "signIn.sso": "Or sign in through your organisation:",
    "signIn.with": "Sign in with {label}",
    "inbox.title": "Referrals",
    "inbox.search": "Search by client name",
    "inbox.statuses": "Show referrals",
    "inbox.tab.new": "To answer",
    "inbox.tab.accepted": "Accepted",
    "inbox.tab.active": "In progress",
    "inbox.tab.held": "On hold",
    "inbox.tab.closed": "Closed",
    "inbox.tab.all": "All",
    "inbox.empty": "No referrals here.",
    "inbox.arrived": "{count, plural, one {A new referral arrived.} other {# new referrals arrived.}}",
    "inbox.unopened": "New",
    "inbox.overdue": "Overdue",
    "inbox.sent": "Sent {date}",
    "inbox.count": "Referrals shown: {count} of {total}.",
    "inbox.shown": "Showing {count} of {total}",
    "inbox.more": "Show more",
    "inbox.any": "Any",
    "inbox.facility": "Facility",
    "inbox.benefit": "Benefit",
    "inbox.priority": "Priority",
    "inbox.age": "Sent {age}",
    "inbox.respondBy": "Answer by {date}",
    "inbox.overdueSince": "Overdue since {date}",
    "inbox.accept": "Accept",
    "inbox.acceptName": "Accept the referral of {name}",
    "inbox.accepted": "Accepted the referral of {name}.",
    "inbox.stale": "Not updated since {time}, retrying. {problem}",
    // Inbox: reject from the row, a list past 100 rows, the caseworker's contact (issue 13).
    "inbox.reject": "Reject",
    "inbox.rejectName": "Reject the referral of {name}",
    "inbox.reason": "Reason",
    "inbox.chooseReason": "Choose a reason",
    "inbox.note": "Note",
    "inbox.noteHint": "Optional, except with the reason Other.",
    "inbox.confirmReject": "Confirm rejection",
    "inbox.cancel": "Cancel",
    "inbox.reasonRequired": "Choose a reason.",
    "inbox.noteRequired": "Say why in the note: the reason is Other.",
    "inbox.rejected": "Rejected the referral of {name}: {reason}.",
    "inbox.changedMeanwhile": "The referral of {name} had changed meanwhile: it is now {status}.",
    "inbox.listChanged": "Referrals arrived or changed since this list was loaded.",
    "inbox.refresh": "Refresh the list",
    "referral.workPhone": "Caseworker's phone",
    "referral.workEmail": "Caseworker's email",
    "referral.caseworkerContact": "Caseworker's contact",
    "referral.noContact": "None on file: contact the agency.",
    "referral.client": "Client",
    "referral.benefit": "Benefit",
    "referral.notes": "From the caseworker",
    "referral.noNotes": "No notes.",
    "referral.referredBy": "Referred by {name}, {agency}",
    "referral.status": "Status",
    "referral.authorization": "Authorization",
    "referral.priority": "Priority",
    "referral.facility": "Facility",
    "referral.unit": "Unit",
    "referral.needsAuthorization": "Needs the agency's authorization before service starts.",
    "referral.history": "History",
    "referral.actions": "What you can do",
    "referral.noActions": "Nothing to do in this status.",
    "referral.reason": "Reason",
    "referral.chooseReason": "Choose a reason",
    "referral.note": "Note (optional)",
    "referral.noteRequired": "Note",
    "referral.confirm": "Confirm",
    "referral.cancel": "Cancel",
    "referral.reasonRequired": "Choose a reason.",
    "referral.done": "Saved: the referral is now {status}.",
    "referral.phone": "Phone",
    "referral.email": "Email",
    "referral.birthDate": "Birth date",
    "referral.address": "Address",
    "referral.language": "Preferred language",
    "referral.alerts": "Alerts",
    "referral.notShared": "The agency shared nothing more.",
    "referral.attendance": "Attendance with you: {present} present, {absent} absent.",
    // Referral page: always what the server holds.
    "referral.decision": "Before you decide",
    "referral.authorizationNeeded": "Agency authorization",
    "referral.noAuthorization": "Not needed.",
    "referral.caseworker": "Caseworker",
    "referral.updated": "Updated: {changes}.",
    "referral.saved": "Saved: {changes}.",
    "referral.conflict": "This referral had changed meanwhile: {changes}. Below is what it holds now.",
    "referral.maybeSaved": "No answer came back, but the referral changed: {changes}. Below is what it holds now.",
    "referral.nowStatus": "status is now {status}",
    "referral.nowAuthorization": "authorization is now {status}",
    "referral.nowOther": "its details changed",
    "referral.and": ", ",
    "referral.completeQuestion": "Mark this referral complete? The service ends and the referral closes.",
    "referral.completeYes": "Yes, complete it",
    "enroll.title": "Enroll in sessions",
    "enroll.notYet": "Enroll once the referral is accepted and, where needed, authorized.",
    "enroll.schedule": "Schedule",
    "enroll.chooseSchedule": "Choose a schedule",
    "enroll.noSchedules": "No approved schedule delivers this benefit yet.",
    "enroll.placesLeft": "{places} of {capacity, plural, one {# place} other {# places}} left",
    "enroll.full": "Full: new enrollments are waitlisted",
    "enroll.how": "Enroll in",
    "enroll.fromDate": "Every session from a date",
    "enroll.oneSession": "One session",
    "enroll.date": "From",
    "enroll.session": "Session",
    "enroll.sessionSeats": "{when} ({enrolled} of {capacity} enrolled)",
    "enroll.submit": "Enroll",
    "enroll.enrolled": "Enrolled in {schedule}.",
    "enroll.waitlisted": "The schedule is full: the client is waitlisted for {schedule}.",
    "enroll.current": "Enrollments",
    "enroll.chooseScheduleFirst": "Choose a schedule.",
    "enroll.chooseSession": "Choose a session.",
    "schedules.title": "Schedules",
    "schedules.new": "Draft a new schedule",
    "schedules.empty": "No schedules yet.",
    "schedules.adminsOnly": "Your provider's admins draft and submit schedules.",
    "schedules.note": "Agency's note: {note}",
    "schedules.firstSession": "First session {when}",
    "schedules.capacity": "Up to {capacity, plural, one {# person} other {# people}}",
    "form.title": "New schedule",
    "form.facility": "Facility",
    "form.benefit": "Benefit",
    "form.codeSet": "Billing code",
    "form.name": "Name",
    "form.firstDate": "First day",
    "form.startTime": "Starts at",
    "form.endTime": "Ends at",
    "form.timeZone": "Time zone",
    "form.frequency": "Repeats",
    "form.days": "On",
    "form.interval": "Every (days, weeks or months)",
    "form.count": "Number of sessions",
    "form.until": "Or until",
    "form.capacity": "Places per session",
    "form.quantity": "Units per attendance",
    "form.preview": "Preview sessions",
    "form.previewCount": "{count, plural, one {# session, on {first}.} other {# sessions, from {first} to {last}.}}",
    "form.submit": "Submit for approval",
    "form.submitted": "Submitted: the agency will review it.",
    "form.noBenefits": "No benefit has been referred to you yet; schedules are for referred benefits.",
    "form.required": "Required.",
    // Schedule page and form (issue 13).
    "form.saveDraft": "Save as draft",
    "form.editTitle": "Edit {name}",
    "form.notEditable": "This schedule is {status}: only drafts and rejected schedules are edited.",
    "form.draftSaved": "Draft saved. Submit it when it is ready.",
    "form.savedNotSubmitted": "The draft is saved, but it was not submitted: {errors}",
    "form.timeZoneHint": "The facility's time zone unless you choose another.",
    "schedule.benefit": "Benefit",
    "schedule.facility": "Facility",
    "schedule.timeZone": "Time zone",
    "schedule.recurrence": "Repeats",
    "schedule.firstSession": "First session",
    "schedule.places": "Places",
    "schedule.submittedAt": "Submitted",
    "schedule.note": "Agency's note",
    "schedule.every": "every {interval}",
    "schedule.count": "{count, plural, one {# session} other {# sessions}}",
    "schedule.until": "until {date}",
    "schedule.edit": "Edit",
    "schedule.pendingHint": "Awaiting the agency's approval. Withdraw it to make changes, then submit it again.",
    "schedule.withdraw": "Withdraw to edit",
    "schedule.withdrawQuestion": "Withdraw this schedule from approval? It goes back to draft until you submit it again.",
    "schedule.withdrawYes": "Yes, withdraw it",
    "schedule.keep": "Keep it submitted",
    "schedule.withdrawn": "Withdrawn: the schedule is a draft again. Edit it, then submit it.",
    "schedule.sessions": "Sessions",
    "schedule.noSessions": "Sessions are created when the agency approves the schedule.",
    "schedule.upcoming": "Upcoming",
    "schedule.past": "Past",
    "schedule.allSessions": "Show all {count}",
    "schedule.oneSession": "one session: {when}",
    "schedule.fromDate": "from {date}",
    "schedule.enrolled": "Enrolled ({count})",
    "schedule.nobody": "Nobody is enrolled yet.",
    "schedule.waitlist": "Waitlist ({count})",
    "schedule.noWaitlist": "Nobody is waiting.",
    "schedule.placesLeft": "Places free in the coming sessions: {places}. Oldest first, unless you choose otherwise.",
    "schedule.fullReason": "Promote is unavailable: the coming sessions are full. Withdraw someone first.",
    "schedule.promote": "Promote",
    "schedule.promoteName": "Promote {name}",
    "schedule.promoted": "{name} is enrolled from today.",
    "sessions.title": "Sessions",
    "sessions.today": "Today",
    "sessions.upcoming": "Upcoming",
    "sessions.recent": "Past two weeks",
    "sessions.none": "None.",
    "sessions.enrolled": "{enrolled} of {capacity} enrolled",
    "roster.title": "Attendance",
    "roster.empty": "Nobody is enrolled in this session.",
    "roster.markAll": "Mark all present",
    "roster.save": "Save attendance",
    "roster.saved": "Attendance saved: {count} marked.",
    "roster.completed": "Attendance was taken. You can correct it and save again.",
    "roster.missing": "Mark everyone before saving.",
    "roster.notYet": "Attendance is taken on or after the session's day.",
    "roster.saving": "Saving…",
    "roster.print": "Print",
    "roster.name": "Name",
    "roster.signature": "Signature",
    "roster.present": "{count} present",
    "roster.absent": "{count} absent",
    "roster.excused": "{count} excused",
    "roster.unmarked": "{count} not marked",
    "roster.opensOn": "Attendance opens on {date}.",
    "sessions.due": "Attendance due",
    "sessions.schedule": "Schedule",
    "sessions.facility": "Facility",
    "sessions.any": "All",
    "facilities.title": "My facilities",
    "facilities.phone": "Phone",
    "facilities.email": "Email",
    "facilities.website": "Website",
    "facilities.accessibility": "Accessibility notes",
    "facilities.accepting": "Accepting referrals",
    "facilities.save": "Save",
    "facilities.saved": "Saved {name}.",
    // Setting a password with an invitation's link (issue 14).
    "welcome.title": "Set your password",
    "welcome.intro": "Welcome to Caseway. Choose the password you will sign in with.",
    "welcome.rule": "At least 12 characters, and not your email address.",
    "welcome.password": "New password",
    "welcome.confirm": "Confirm the password",
    "welcome.submit": "Set my password",
    "welcome.missing": "Enter a password.",
    "welcome.short": "Use at least 12 characters.",
    "welcome.mismatch": "The two passwords differ: type the same one twice.",
    "welcome.weak_password": "Choose another password: at least 12 characters, and not your email address.",
    "welcome.invalid_link": "This link is not valid. Check that you copied all of it, or ask your administrator for a new one.",
    "welcome.used_link": "This link has been used already. Sign in with the password you set, or ask your administrator for a new link.",
    "welcome.replaced_link": "This link was replaced by a newer one. Use the latest link you were given.",
    "welcome.expired_link": "This link has expired: links last 72 hours. Ask your administrator for a new one.",
    "welcome.inactive_account": "This account is deactivated. Ask your administrator.",
    "welcome.busy": "Too many requests at once: try again in a moment.",
    "welcome.done": "Your password is set",
    "welcome.provider": "Sign in to the portal with your email address and your new password.",
    "welcome.signIn": "Sign in",
    "welcome.agency": "You work for an agency: sign in through your agency's app, or in GraphiQL, with your email address and your new password.",
    "welcome.graphiql": "Open GraphiQL",
  },
  fr: {
    "app.title": "Portail prestataires Caseway",
    "app.skip": "Aller au contenu",
    "app.language": "Langue",
    "app.signOut": "Se déconnecter",
    "app.signedInAs": "Connecté·e : {name}",
    "app.loading": "Chargement…",
    "app.colon": "\u00a0: ",
    "app.retry": "Réessayer",
    "nav.inbox": "Orientations",
    "nav.schedules": "Plannings",
    "nav.sessions": "Séances",
    "nav.facilities": "Établissements",
    "error.network": "Caseway est injoignable. Vérifiez votre connexion et réessayez.",
    "error.timeout": "Caseway met trop de temps à répondre. Réessayez dans un instant.",
    "error.server": "Une erreur s’est produite de notre côté. Réessayez dans un instant.",
    "error.not-found": "Cette page n’existe pas, ou elle ne vous concerne pas.",
    "error.forbidden": "Votre rôle ne permet pas cette action.",
    "error.invalid": "Refusé : {message}",
    "error.expired": "Votre session a pris fin. Reconnectez-vous.",
    // Une page qui n'a pas pu s'afficher : son titre, selon la panne (le message en dit plus).
    "failed.network": "Caseway est injoignable",
    "failed.timeout": "Caseway ne répond pas",
    "failed.server": "Une erreur s’est produite",
    "failed.not-found": "Page introuvable",
    "failed.forbidden": "Action non autorisée",
    "failed.invalid": "Refusé",
    "failed.unauthenticated": "Session terminée",
    // Les codes d'erreur de l'API : "apiError.CODE:champ", sinon "apiError.CODE.field" avec le libellé du champ,
    // sinon "apiError.CODE".
    "apiError.UNAUTHENTICATED": "Votre session a pris fin. Reconnectez-vous.",
    "apiError.FORBIDDEN": "Votre rôle ne permet pas cette action.",
    "apiError.NOT_FOUND": "Cet enregistrement n’existe pas, ou il ne vous concerne pas.",
    "apiError.NOT_FOUND.field": "{label} : cet enregistrement n’existe pas, ou il ne vous concerne pas.",
    "apiError.INVALID": "Une partie de votre saisie n’est pas acceptée. Vérifiez-la et réessayez.",
    "apiError.INVALID.field": "{label} : cette valeur n’est pas acceptée. Vérifiez-la et réessayez.",
    "apiError.REQUIRED": "Remplissez tous les champs obligatoires.",
    "apiError.REQUIRED.field": "{label} : ce champ est obligatoire.",
    "apiError.CONFLICT":
      "Enregistrement impossible : l’élément a changé entre-temps, ou son état actuel ne le permet pas. Rechargez pour voir où il en est.",
    "apiError.CONFLICT:id":
      "Impossible dans son statut actuel : quelqu’un l’a peut-être modifié entre-temps. Rechargez pour voir où il en est.",
    "apiError.CONFLICT:expectedVersion":
      "Quelqu’un d’autre l’a modifié entre-temps. Rechargez pour voir où il en est, puis réessayez.",
    "apiError.GRAPHQL_VALIDATION_FAILED":
      "Le portail a envoyé une demande que Caseway ne comprend pas. Rechargez la page et réessayez.",
    "apiError.INVALID:email": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    "apiError.INVALID:phone": "Saisissez un numéro de téléphone valide : chiffres, espaces et + ( ) . - uniquement.",
    "apiError.INVALID:website": "Saisissez une adresse web complète commençant par http:// ou https://.",
    "apiError.INVALID:accessibilityNotes": "Les notes d’accessibilité font 2 000 caractères au plus.",
    "apiError.CONFLICT:sessionId":
      "Cette séance ne le permet pas : elle a été annulée, reportée ou modifiée. Rechargez la page.",
    "apiError.INVALID:marks.participantId":
      "Une personne de la liste n’est plus inscrite à la séance, ou apparaît deux fois. Rechargez la page et enregistrez à nouveau.",
    "apiError.REQUIRED:marks": "Indiquez la présence de chacun avant d’enregistrer.",
    "apiError.REQUIRED:reason": "Choisissez un motif.",
    "apiError.INVALID:reason": "Cette étape ne prend pas de motif : laissez-le vide (une note peut préciser).",
    "apiError.REQUIRED:note": "Précisez le motif dans la note.",
    "apiError.CONFLICT:scheduleId":
      "Le client est déjà inscrit ou en liste d’attente pour ce planning, ou celui-ci ne prend plus d’inscriptions.",
    "apiError.INVALID:scheduleId": "Choisissez un planning approuvé qui délivre la prestation de cette orientation.",
    "apiError.INVALID:fromDate": "Le planning n’a plus de séance à partir de cette date.",
    "apiError.INVALID:facilityId": "Choisissez l’un de vos établissements actifs.",
    "apiError.INVALID:benefitId": "Planifiez seulement des prestations orientées vers votre structure.",
    "apiError.INVALID:timeZone": "Saisissez un fuseau horaire par son nom, par exemple Europe/Paris.",
    "apiError.INVALID:firstStart":
      "Ces jours et heures ne donnent aucune séance : vérifiez le premier jour et la répétition.",
    "apiError.INVALID:firstEnd": "Une séance finit après son début et dure 24 heures au plus.",
    "apiError.INVALID:interval": "Répétez tous les 1 à 52 jours, semaines ou mois.",
    "apiError.INVALID:count": "Un planning compte de 1 à 500 séances.",
    "apiError.INVALID:until":
      "Donnez une date de fin après le premier jour, ou un nombre de séances (500 au plus).",
    "apiError.INVALID:weekdays": "Choisissez les jours d’un planning hebdomadaire.",
    "apiError.INVALID:capacity": "Places par séance : un nombre entier de 1 à 10 000.",
    "apiError.INVALID:defaultQuantity": "Unités par présence : un nombre comme 1 ou 1,5.",
    "field.fromDate": "Date de début",
    "field.weekdays": "Jours",
    "field.marks": "Présences",
    "field.participant": "Participant·e",
    "field.mark": "Présence",
    "signIn.title": "Connexion",
    "signIn.intro": "Pour le personnel des prestataires de Caseway.",
    "signIn.email": "Adresse e-mail",
    "signIn.password": "Mot de passe",
    "signIn.submit": "Se connecter",
    "signIn.wrong": "Adresse e-mail ou mot de passe incorrect.",
    "signIn.agency":
      "Le portail est réservé au personnel des prestataires. Les agences utilisent Caseway par l’API et GraphiQL.",
    "signIn.missing": "Saisissez votre adresse e-mail et votre mot de passe.",
    "signIn.throttled": "Trop de connexions échouées : réessayez plus tard.",
    "signIn.busy": "Trop de connexions en même temps : réessayez dans un instant.",
    "signIn.sso": "Ou connectez-vous par votre organisation :",
    "signIn.with": "Se connecter avec {label}",
    "inbox.title": "Orientations",
    "inbox.search": "Rechercher par nom de client",
    "inbox.statuses": "Afficher les orientations",
    "inbox.tab.new": "À traiter",
    "inbox.tab.accepted": "Acceptées",
    "inbox.tab.active": "En cours",
    "inbox.tab.held": "En attente",
    "inbox.tab.closed": "Clôturées",
    "inbox.tab.all": "Toutes",
    "inbox.empty": "Aucune orientation ici.",
    "inbox.arrived":
      "{count, plural, one {Une nouvelle orientation est arrivée.} other {# nouvelles orientations sont arrivées.}}",
    "inbox.unopened": "Nouvelle",
    "inbox.overdue": "En retard",
    "inbox.sent": "Envoyée le {date}",
    "inbox.count": "Orientations affichées : {count} sur {total}.",
    "inbox.shown": "{count, plural, one {# orientation affichée} other {# orientations affichées}} sur {total}",
    "inbox.more": "Afficher plus",
    "inbox.any": "Toutes",
    "inbox.facility": "Établissement",
    "inbox.benefit": "Prestation",
    "inbox.priority": "Priorité",
    "inbox.age": "Envoyée {age}",
    "inbox.respondBy": "Réponse avant le {date}",
    "inbox.overdueSince": "En retard depuis le {date}",
    "inbox.accept": "Accepter",
    "inbox.acceptName": "Accepter l’orientation de {name}",
    "inbox.accepted": "Orientation de {name} acceptée.",
    "inbox.stale": "Pas mis à jour depuis {time}, nouvelle tentative en cours. {problem}",
    // Orientations : refuser depuis la ligne, une liste de plus de 100 lignes, le contact du travailleur social.
    "inbox.reject": "Refuser",
    "inbox.rejectName": "Refuser l’orientation de {name}",
    "inbox.reason": "Motif",
    "inbox.chooseReason": "Choisissez un motif",
    "inbox.note": "Note",
    "inbox.noteHint": "Facultative, sauf avec le motif « Autre ».",
    "inbox.confirmReject": "Confirmer le refus",
    "inbox.cancel": "Annuler",
    "inbox.reasonRequired": "Choisissez un motif.",
    "inbox.noteRequired": "Précisez le motif dans la note : le motif est « Autre ».",
    "inbox.rejected": "Orientation de {name} refusée : {reason}.",
    "inbox.changedMeanwhile": "L’orientation de {name} avait changé entre-temps : elle est maintenant « {status} ».",
    "inbox.listChanged": "Des orientations sont arrivées ou ont changé depuis le chargement de cette liste.",
    "inbox.refresh": "Actualiser la liste",
    "referral.workPhone": "Téléphone du travailleur social",
    "referral.workEmail": "E-mail du travailleur social",
    "referral.caseworkerContact": "Contact du travailleur social",
    "referral.noContact": "Aucun contact enregistré : contactez l’agence.",
    "referral.client": "Client",
    "referral.benefit": "Prestation",
    "referral.notes": "De la part du travailleur social",
    "referral.noNotes": "Aucune note.",
    "referral.referredBy": "Orienté·e par {name}, {agency}",
    "referral.status": "Statut",
    "referral.authorization": "Autorisation",
    "referral.priority": "Priorité",
    "referral.facility": "Établissement",
    "referral.unit": "Unité",
    "referral.needsAuthorization": "L’agence doit autoriser le service avant qu’il commence.",
    "referral.history": "Historique",
    "referral.actions": "Ce que vous pouvez faire",
    "referral.noActions": "Aucune action possible dans ce statut.",
    "referral.reason": "Motif",
    "referral.chooseReason": "Choisissez un motif",
    "referral.note": "Note (facultative)",
    "referral.noteRequired": "Note",
    "referral.confirm": "Confirmer",
    "referral.cancel": "Annuler",
    "referral.reasonRequired": "Choisissez un motif.",
    "referral.done": "Enregistré : l’orientation est maintenant « {status} ».",
    "referral.phone": "Téléphone",
    "referral.email": "Adresse e-mail",
    "referral.birthDate": "Date de naissance",
    "referral.address": "Adresse",
    "referral.language": "Langue préférée",
    "referral.alerts": "Alertes",
    "referral.notShared": "L’agence n’a rien partagé de plus.",
    "referral.attendance":
      "Chez vous : {present, plural, one {# présence} other {# présences}}, {absent, plural, one {# absence} other {# absences}}.",
    // Page d'une orientation : toujours ce que le serveur a.
    "referral.decision": "Avant de décider",
    "referral.authorizationNeeded": "Autorisation de l’agence",
    "referral.noAuthorization": "Pas nécessaire.",
    "referral.caseworker": "Travailleur social",
    "referral.updated": "Mis à jour : {changes}.",
    "referral.saved": "Enregistré : {changes}.",
    "referral.conflict": "L’orientation avait changé entre-temps : {changes}. Voici son état actuel.",
    "referral.maybeSaved": "Pas de réponse, mais l’orientation a changé : {changes}. Voici son état actuel.",
    "referral.nowStatus": "le statut est maintenant « {status} »",
    "referral.nowAuthorization": "l’autorisation est maintenant « {status} »",
    "referral.nowOther": "ses détails ont changé",
    "referral.and": ", ",
    "referral.completeQuestion": "Terminer cette orientation ? Le service prend fin et l’orientation est close.",
    "referral.completeYes": "Oui, la terminer",
    "enroll.title": "Inscrire aux séances",
    "enroll.notYet": "Inscrivez le client une fois l’orientation acceptée et, si besoin, autorisée.",
    "enroll.schedule": "Planning",
    "enroll.chooseSchedule": "Choisissez un planning",
    "enroll.noSchedules": "Aucun planning approuvé ne délivre encore cette prestation.",
    "enroll.placesLeft": "{places, plural, one {# place libre} other {# places libres}} sur {capacity}",
    "enroll.full": "Complet : les nouvelles inscriptions vont en liste d’attente",
    "enroll.how": "Inscrire à",
    "enroll.fromDate": "Toutes les séances à partir d’une date",
    "enroll.oneSession": "Une seule séance",
    "enroll.date": "À partir du",
    "enroll.session": "Séance",
    "enroll.sessionSeats": "{when} ({enrolled, plural, one {# inscrit·e} other {# inscrit·es}} sur {capacity})",
    "enroll.submit": "Inscrire",
    "enroll.enrolled": "Inscrit·e à « {schedule} ».",
    "enroll.waitlisted": "Le planning est complet : le client est en liste d’attente pour « {schedule} ».",
    "enroll.current": "Inscriptions",
    "enroll.chooseScheduleFirst": "Choisissez un planning.",
    "enroll.chooseSession": "Choisissez une séance.",
    "schedules.title": "Plannings",
    "schedules.new": "Préparer un nouveau planning",
    "schedules.empty": "Aucun planning pour l’instant.",
    "schedules.adminsOnly": "Les administrateurs de votre structure préparent et soumettent les plannings.",
    "schedules.note": "Note de l’agence : {note}",
    "schedules.firstSession": "Première séance le {when}",
    "schedules.capacity": "Jusqu’à {capacity, plural, one {# personne} other {# personnes}}",
    "form.title": "Nouveau planning",
    "form.facility": "Établissement",
    "form.benefit": "Prestation",
    "form.codeSet": "Code de facturation",
    "form.name": "Nom",
    "form.firstDate": "Premier jour",
    "form.startTime": "Début",
    "form.endTime": "Fin",
    "form.timeZone": "Fuseau horaire",
    "form.frequency": "Répétition",
    "form.days": "Les",
    "form.interval": "Tous les (jours, semaines ou mois)",
    "form.count": "Nombre de séances",
    "form.until": "Ou jusqu’au",
    "form.capacity": "Places par séance",
    "form.quantity": "Unités par présence",
    "form.preview": "Aperçu des séances",
    "form.previewCount": "{count, plural, one {# séance, le {first}.} other {# séances, du {first} au {last}.}}",
    "form.submit": "Soumettre pour approbation",
    "form.submitted": "Soumis : l’agence va l’examiner.",
    "form.noBenefits":
      "Aucune prestation ne vous a encore été orientée ; les plannings concernent les prestations orientées.",
    "form.required": "Obligatoire.",
    // Page d’un planning et formulaire (ticket 13).
    "form.saveDraft": "Enregistrer le brouillon",
    "form.editTitle": "Modifier « {name} »",
    "form.notEditable": "Ce planning est « {status} » : seuls les brouillons et les plannings refusés se modifient.",
    "form.draftSaved": "Brouillon enregistré. Soumettez-le quand il est prêt.",
    "form.savedNotSubmitted": "Le brouillon est enregistré, mais il n’a pas été soumis : {errors}",
    "form.timeZoneHint": "Le fuseau de l’établissement, sauf si vous en choisissez un autre.",
    "schedule.benefit": "Prestation",
    "schedule.facility": "Établissement",
    "schedule.timeZone": "Fuseau horaire",
    "schedule.recurrence": "Répétition",
    "schedule.firstSession": "Première séance",
    "schedule.places": "Places",
    "schedule.submittedAt": "Soumis le",
    "schedule.note": "Note de l’agence",
    "schedule.every": "tous les {interval}",
    "schedule.count": "{count, plural, one {# séance} other {# séances}}",
    "schedule.until": "jusqu’au {date}",
    "schedule.edit": "Modifier",
    "schedule.pendingHint":
      "En attente de l’approbation de l’agence. Retirez-le pour le modifier, puis soumettez-le à nouveau.",
    "schedule.withdraw": "Retirer pour modifier",
    "schedule.withdrawQuestion":
      "Retirer ce planning de l’approbation ? Il redevient un brouillon jusqu’à ce que vous le soumettiez à nouveau.",
    "schedule.withdrawYes": "Oui, le retirer",
    "schedule.keep": "Le laisser soumis",
    "schedule.withdrawn": "Retiré : le planning est de nouveau un brouillon. Modifiez-le, puis soumettez-le.",
    "schedule.sessions": "Séances",
    "schedule.noSessions": "Les séances sont créées quand l’agence approuve le planning.",
    "schedule.upcoming": "À venir",
    "schedule.past": "Passées",
    "schedule.allSessions": "Afficher les {count}",
    "schedule.oneSession": "une séance : {when}",
    "schedule.fromDate": "à partir du {date}",
    "schedule.enrolled": "Inscrits ({count})",
    "schedule.nobody": "Personne n’est encore inscrit.",
    "schedule.waitlist": "Liste d’attente ({count})",
    "schedule.noWaitlist": "Personne n’attend.",
    "schedule.placesLeft":
      "Places libres dans les prochaines séances : {places}. Les plus anciens d’abord, sauf si vous en décidez autrement.",
    "schedule.fullReason": "Inscription impossible : les prochaines séances sont complètes. Retirez d’abord quelqu’un.",
    "schedule.promote": "Inscrire",
    "schedule.promoteName": "Inscrire {name}",
    "schedule.promoted": "{name} est inscrit·e à partir d’aujourd’hui.",
    "sessions.title": "Séances",
    "sessions.today": "Aujourd’hui",
    "sessions.upcoming": "À venir",
    "sessions.recent": "Deux dernières semaines",
    "sessions.none": "Aucune.",
    "sessions.enrolled": "{enrolled, plural, one {# inscrit·e} other {# inscrit·es}} sur {capacity}",
    "roster.title": "Présences",
    "roster.empty": "Personne n’est inscrit à cette séance.",
    "roster.markAll": "Tous présents",
    "roster.save": "Enregistrer les présences",
    "roster.saved": "Présences enregistrées : {count, plural, one {# personne notée} other {# personnes notées}}.",
    "roster.completed": "Les présences ont été prises. Vous pouvez les corriger et enregistrer à nouveau.",
    "roster.missing": "Indiquez la présence de chacun avant d’enregistrer.",
    "roster.notYet": "Les présences se prennent le jour de la séance ou après.",
    "roster.saving": "Enregistrement…",
    "roster.print": "Imprimer",
    "roster.name": "Nom",
    "roster.signature": "Signature",
    "roster.present": "{count, plural, one {# présent·e} other {# présent·es}}",
    "roster.absent": "{count, plural, one {# absent·e} other {# absent·es}}",
    "roster.excused": "{count, plural, one {# excusé·e} other {# excusé·es}}",
    "roster.unmarked": "{count, plural, one {# non noté·e} other {# non noté·es}}",
    "roster.opensOn": "Les présences ouvrent le {date}.",
    "sessions.due": "Présences à prendre",
    "sessions.schedule": "Calendrier",
    "sessions.facility": "Établissement",
    "sessions.any": "Tous",
    "facilities.title": "Mes établissements",
    "facilities.phone": "Téléphone",
    "facilities.email": "Adresse e-mail",
    "facilities.website": "Site web",
    "facilities.accessibility": "Accessibilité",
    "facilities.accepting": "Accepte des orientations",
    "facilities.save": "Enregistrer",
    "facilities.saved": "{name} enregistré.",
    // Choisir son mot de passe avec le lien d’une invitation (issue 14).
    "welcome.title": "Choisissez votre mot de passe",
    "welcome.intro": "Bienvenue sur Caseway. Choisissez le mot de passe avec lequel vous vous connecterez.",
    "welcome.rule": "Au moins 12 caractères, et pas votre adresse e-mail.",
    "welcome.password": "Nouveau mot de passe",
    "welcome.confirm": "Confirmez le mot de passe",
    "welcome.submit": "Enregistrer mon mot de passe",
    "welcome.missing": "Saisissez un mot de passe.",
    "welcome.short": "Utilisez au moins 12 caractères.",
    "welcome.mismatch": "Les deux mots de passe diffèrent : saisissez deux fois le même.",
    "welcome.weak_password": "Choisissez un autre mot de passe : au moins 12 caractères, et pas votre adresse e-mail.",
    "welcome.invalid_link":
      "Ce lien n’est pas valide. Vérifiez que vous l’avez copié en entier, ou demandez-en un nouveau à votre administrateur.",
    "welcome.used_link":
      "Ce lien a déjà servi. Connectez-vous avec le mot de passe choisi, ou demandez un nouveau lien à votre administrateur.",
    "welcome.replaced_link": "Ce lien a été remplacé par un plus récent. Utilisez le dernier lien reçu.",
    "welcome.expired_link": "Ce lien a expiré : un lien vaut 72 heures. Demandez-en un nouveau à votre administrateur.",
    "welcome.inactive_account": "Ce compte est désactivé. Adressez-vous à votre administrateur.",
    "welcome.busy": "Trop de demandes en même temps : réessayez dans un instant.",
    "welcome.done": "Votre mot de passe est enregistré",
    "welcome.provider": "Connectez-vous au portail avec votre adresse e-mail et votre nouveau mot de passe.",
    "welcome.signIn": "Se connecter",
    "welcome.agency":
      "Vous travaillez pour une agence : connectez-vous par l’application de votre agence, ou dans GraphiQL, avec votre adresse e-mail et votre nouveau mot de passe.",
    "welcome.graphiql": "Ouvrir GraphiQL",
  },
};

// The API's codes (statuses, reasons, marks, days) in words.
const CODES = {
  en: {
    REQUESTED: "to answer",
    ACCEPTED: "accepted",
    REJECTED: "rejected",
    CANCELLED: "cancelled",
    ON_HOLD: "on hold",
    IN_PROGRESS: "in progress",
    COMPLETED: "completed",
    FAILED: "failed",
    ENTERED_IN_ERROR: "entered in error",
    DRAFT: "draft",
    NOT_REQUIRED: "not required",
    NOT_REQUESTED: "not requested yet",
    SUBMITTED: "requested",
    AUTHORIZED: "authorized",
    DENIED: "denied",
    PENDING: "awaiting approval",
    APPROVED: "approved",
    SCHEDULED: "scheduled",
    POSTPONED: "postponed",
    ENROLLED: "enrolled",
    WAITLISTED: "waitlisted",
    WITHDRAWN: "withdrawn",
    PRESENT: "Present",
    ABSENT: "Absent",
    EXCUSED: "Excused",
    ACCEPT: "Accept",
    REJECT: "Reject",
    HOLD: "Put on hold",
    START: "Start",
    COMPLETE: "Complete",
    FAIL: "Mark as failed",
    REQUEST_AUTHORIZATION: "Request authorization",
    NO_CAPACITY: "No capacity",
    NOT_ELIGIBLE: "Not eligible",
    COULD_NOT_CONTACT: "Could not contact",
    CLIENT_DECLINED: "Client declined",
    SERVICE_NOT_OFFERED: "Service not offered",
    CLIENT_NEEDS_CHANGED: "Client's needs changed",
    DUPLICATE: "Duplicate",
    ENTERED_BY_MISTAKE: "Entered by mistake",
    OTHER: "Other (say why in the note)",
    ROUTINE: "routine",
    URGENT: "urgent",
    ASAP: "as soon as possible",
    STAT: "immediately",
    ONCE: "Once",
    DAILY: "Daily",
    WEEKLY: "Weekly",
    MONTHLY: "Monthly",
    MO: "Mon",
    TU: "Tue",
    WE: "Wed",
    TH: "Thu",
    FR: "Fri",
    SA: "Sat",
    SU: "Sun",
  },
  fr: {
    REQUESTED: "à traiter",
    ACCEPTED: "acceptée",
    REJECTED: "refusée",
    CANCELLED: "annulée",
    ON_HOLD: "en attente",
    IN_PROGRESS: "en cours",
    COMPLETED: "terminée",
    FAILED: "échouée",
    ENTERED_IN_ERROR: "saisie par erreur",
    DRAFT: "brouillon",
    NOT_REQUIRED: "non requise",
    NOT_REQUESTED: "pas encore demandée",
    SUBMITTED: "demandée",
    AUTHORIZED: "accordée",
    DENIED: "refusée",
    PENDING: "en attente d’approbation",
    APPROVED: "approuvé",
    SCHEDULED: "prévue",
    POSTPONED: "reportée",
    ENROLLED: "inscrit·e",
    WAITLISTED: "en liste d’attente",
    WITHDRAWN: "retiré·e",
    PRESENT: "Présent·e",
    ABSENT: "Absent·e",
    EXCUSED: "Excusé·e",
    ACCEPT: "Accepter",
    REJECT: "Refuser",
    HOLD: "Mettre en attente",
    START: "Commencer",
    COMPLETE: "Terminer",
    FAIL: "Déclarer en échec",
    REQUEST_AUTHORIZATION: "Demander l’autorisation",
    NO_CAPACITY: "Plus de place",
    NOT_ELIGIBLE: "Non éligible",
    COULD_NOT_CONTACT: "Injoignable",
    CLIENT_DECLINED: "Refus du client",
    SERVICE_NOT_OFFERED: "Service non proposé",
    CLIENT_NEEDS_CHANGED: "Besoins du client changés",
    DUPLICATE: "Doublon",
    ENTERED_BY_MISTAKE: "Saisie par erreur",
    OTHER: "Autre (précisez dans la note)",
    ROUTINE: "normale",
    URGENT: "urgente",
    ASAP: "dès que possible",
    STAT: "immédiate",
    ONCE: "Une fois",
    DAILY: "Chaque jour",
    WEEKLY: "Chaque semaine",
    MONTHLY: "Chaque mois",
    MO: "lun.",
    TU: "mar.",
    WE: "mer.",
    TH: "jeu.",
    FR: "ven.",
    SA: "sam.",
    SU: "dim.",
  },
};

const KEY = "caseway.language";
export const LANGUAGES = Object.keys(CATALOGUES);

export function language() {
  const chosen = localStorage.getItem(KEY);
  return LANGUAGES.includes(chosen) ? chosen : "en";
}

export function setLanguage(code) {
  localStorage.setItem(KEY, LANGUAGES.includes(code) ? code : "en");
  document.documentElement.lang = language();
}

/**
 * A catalogue string with its values filled in. Numbers show in the language's way (1,250 / 1 250). A count picks
 * its plural form with the ICU syntax every translation tool knows, chosen by Intl.PluralRules (French says
 * "0 personne", "1 personne", "2 personnes"; English "1 person", "0 people"):
 *   "{count, plural, one {# session} other {# sessions}}"  (# is the count; "=0 {…}" matches one exact number).
 * A string may hold several counts ("{present, plural, …}, {absent, plural, …}"); forms may hold other values.
 */
export function t(key, values = {}) {
  return fillIn(CATALOGUES[language()][key] ?? CATALOGUES.en[key] ?? key, values);
}

/** Whether the catalogue (the chosen language's, else English) has this key. */
export function has(key) {
  return key in CATALOGUES[language()] || key in CATALOGUES.en;
}

const pluralRules = {};

/** The plural category ("one", "other"…) of a number in the chosen language. */
export function pluralOf(count) {
  const lang = language();
  pluralRules[lang] ??= new Intl.PluralRules(lang);
  return pluralRules[lang].select(count);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(language()).format(value);
}

/** The index of the brace closing the one opened at `open`, or -1. */
function closing(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "{") depth += 1;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function fillIn(text, values) {
  let out = "";
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("{", at);
    const close = open < 0 ? -1 : closing(text, open);
    if (close < 0) return out + text.slice(at);
    out += text.slice(at, open);
    const inside = text.slice(open + 1, close);
    const plural = inside.match(/^\s*(\w+)\s*,\s*plural\s*,([\s\S]*)$/);
    if (plural) out += choose(Number(values[plural[1]]), plural[2], values);
    else {
      const name = inside.trim();
      const value = values[name];
      out += !(name in values) ? `{${inside}}` : typeof value === "number" ? formatNumber(value) : String(value);
    }
    at = close + 1;
  }
  return out;
}

/** The form of "one {…} other {…}" that suits `count`, filled in. */
function choose(count, options, values) {
  const forms = {};
  let at = 0;
  for (;;) {
    const open = options.indexOf("{", at);
    const close = open < 0 ? -1 : closing(options, open);
    if (close < 0) break;
    forms[options.slice(at, open).trim()] = options.slice(open + 1, close);
    at = close + 1;
  }
  const form = forms[`=${count}`] ?? forms[pluralOf(count)] ?? forms.other ?? "";
  return fillIn(form.replace(/#/g, formatNumber(count)), values);
}

/** An API code (status, reason, mark, weekday) in words. */
export function code(value) {
  return CODES[language()][value] ?? value;
}

// The label of each argument the API may name as a field at fault (list indexes and `input.` left out), so a
// generic error code can say which field it concerns.
const FIELD_LABELS = {
  email: "facilities.email",
  phone: "facilities.phone",
  website: "facilities.website",
  accessibilityNotes: "facilities.accessibility",
  acceptingReferrals: "facilities.accepting",
  reason: "referral.reason",
  note: "referral.noteRequired",
  scheduleId: "enroll.schedule",
  sessionId: "enroll.session",
  fromDate: "field.fromDate",
  facilityId: "form.facility",
  benefitId: "form.benefit",
  codeSetId: "form.codeSet",
  name: "form.name",
  firstStart: "form.firstDate",
  firstEnd: "form.endTime",
  timeZone: "form.timeZone",
  frequency: "form.frequency",
  weekdays: "field.weekdays",
  interval: "form.interval",
  count: "form.count",
  until: "form.until",
  capacity: "form.capacity",
  defaultQuantity: "form.quantity",
  marks: "field.marks",
  "marks.participantId": "field.participant",
  "marks.mark": "field.mark",
};

/**
 * An API error ({code, field, message}) in the chosen language: the catalogue's "apiError.CODE:field" when it has
 * one, else "apiError.CODE.field" naming the field's label, else "apiError.CODE"; the server's own (English) words
 * only for a code the catalogue does not know.
 */
export function errorText({ code: errorCode, field, message } = {}) {
  const where = field ? field.replace(/^input\./, "").replace(/\[\d+\]/g, "") : null;
  if (where && has(`apiError.${errorCode}:${where}`)) return t(`apiError.${errorCode}:${where}`);
  if (where && FIELD_LABELS[where] && has(`apiError.${errorCode}.field`)) {
    return t(`apiError.${errorCode}.field`, { label: t(FIELD_LABELS[where]) });
  }
  if (errorCode && has(`apiError.${errorCode}`)) return t(`apiError.${errorCode}`);
  return message || t("error.server");
}

// Days and times show in the provider's time zone (the viewer's `timeZone`, set at sign-in), never the browser's;
// a session's in its schedule's zone (a session is at 9:00 at its facility), which callers pass.
let providerZone;

export function setTimeZone(zone) {
  providerZone = zone || undefined;
}

export function timeZone() {
  return providerZone;
}

export function formatDateTime(iso, zone = providerZone) {
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(
    new Date(iso),
  );
}

export function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

export function formatTime(iso, zone = providerZone) {
  return new Intl.DateTimeFormat(language(), { timeStyle: "short", timeZone: zone }).format(new Date(iso));
}

/** The day (YYYY-MM-DD) an instant falls on in a time zone (the provider's unless given). */
export function dayIn(instant, zone = providerZone) {
  const format = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone });
  const parts = format.formatToParts(new Date(instant));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** Today (YYYY-MM-DD) in a time zone (the provider's unless given). */
export function today(zone = providerZone) {
  return dayIn(Date.now(), zone);
}

/** A day (YYYY-MM-DD) moved by a number of days. */
export function addDays(isoDate, days) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

const CLOCK = {
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
};

/** The instant (ISO, UTC) a day (YYYY-MM-DD) begins in a time zone (the provider's unless given). */
export function startOfDay(isoDate, zone = providerZone) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const wallClock = Date.UTC(year, month - 1, day);
  // The zone's offset at a moment: its wall clock then, read as UTC, minus the moment.
  const offset = (moment) => {
    const parts = new Intl.DateTimeFormat("en-US", { ...CLOCK, timeZone: zone }).formatToParts(new Date(moment));
    const part = (type) => Number(parts.find((p) => p.type === type).value);
    return Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second")) - moment;
  };
  const guess = wallClock - offset(wallClock);
  return new Date(wallClock - offset(guess)).toISOString();
}
