package server

// routeTable lists every route the server serves: the JSON API under
// /api/v1 (each described in openapi.json), health and metrics. Web pages
// add their lines here too, with Page set.
func (s *Server) routeTable() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Name: "health", Handler: s.health},
		{Method: "GET", Path: "/metrics", Name: "metrics", Handler: s.serveMetrics},
		{Method: "GET", Path: "/api/v1/openapi.json", Name: "openapi", Handler: s.openAPI},
		{Method: "GET", Path: "/api/v1/me", Name: "me", Access: SignedIn, Handler: s.me},
		{Method: "GET", Path: "/api/v1/schemes", Name: "schemes", Handler: s.listSchemes},
		{Method: "GET", Path: "/api/v1/schemes/{name}", Name: "scheme", Handler: s.getScheme},

		{Method: "POST", Path: "/api/v1/records", Name: "report record", Access: SignedIn, Handler: s.reportRecord},
		{Method: "POST", Path: "/api/v1/records/batch", Name: "report batch", Access: SignedIn, Handler: s.reportBatch},

		{Method: "POST", Path: "/api/v1/citizens", Name: "register citizen", Access: SignedIn, Handler: s.registerCitizen},
		{Method: "GET", Path: "/api/v1/citizens", Name: "find citizens", Access: SignedIn, Handler: s.searchCitizens},
		{Method: "GET", Path: "/api/v1/citizens/{id}", Name: "citizen file", Access: SignedIn, Handler: s.citizenFile},
		{Method: "PUT", Path: "/api/v1/citizens/{id}/consent", Name: "consent", Access: SignedIn, Handler: s.setConsent},
		{Method: "GET", Path: "/api/v1/citizens/{id}/capabilities/{capability}", Name: "decision", Access: SignedIn, Handler: s.decide},
		{Method: "POST", Path: "/api/v1/citizens/{id}/objections", Name: "object", Access: SignedIn, Handler: s.object},

		{Method: "GET", Path: "/api/v1/objections", Name: "objections", Access: SignedIn, Handler: s.listObjections},
		{Method: "POST", Path: "/api/v1/objections/{id}/decision", Name: "decide objection", Access: SignedIn, Handler: s.decideObjection},

		{Method: "GET", Path: "/api/v1/lists/public", Name: "public list", Handler: s.publicList},
		{Method: "GET", Path: "/api/v1/lists/watch", Name: "watch list", Access: SignedIn, Handler: s.watchList},
		{Method: "GET", Path: "/api/v1/visits", Name: "visits", Access: SignedIn, Handler: s.visits},
		{Method: "GET", Path: "/api/v1/stats", Name: "stats", Access: SignedIn, Handler: s.stats},
		{Method: "GET", Path: "/api/v1/checkpoint", Name: "checkpoint", Handler: s.checkpoint},

		{Method: "GET", Path: "/api/v1/accounts", Name: "accounts", Access: SignedIn, Handler: s.listAccounts},
		{Method: "POST", Path: "/api/v1/accounts", Name: "create account", Access: SignedIn, Handler: s.createAccount},
		{Method: "POST", Path: "/api/v1/accounts/{id}/revoke", Name: "revoke account", Access: SignedIn, Handler: s.revokeAccount},

		// Classroom mode (api_classes.go): the teacher's routes take an
		// account token, the students' (…/me…) the token joining answered.
		{Method: "GET", Path: "/api/v1/classes", Name: "classes", Access: SignedIn, Handler: s.listClasses},
		{Method: "POST", Path: "/api/v1/classes", Name: "open class", Access: SignedIn, Handler: s.createClass},
		{Method: "GET", Path: "/api/v1/classes/{code}", Name: "class board", Access: SignedIn, Handler: s.getClass},
		{Method: "DELETE", Path: "/api/v1/classes/{code}", Name: "close class", Access: SignedIn, Handler: s.deleteClass},
		{Method: "GET", Path: "/api/v1/classes/{code}/summary.csv", Name: "class summary", Access: SignedIn, Handler: s.classSummary},
		{Method: "POST", Path: "/api/v1/classes/{code}/advance", Name: "advance class", Access: SignedIn, Handler: s.advanceClass},
		{Method: "POST", Path: "/api/v1/classes/{code}/reports/{id}/decision", Name: "decide class objection", Access: SignedIn, Handler: s.decideClassObjection},
		{Method: "GET", Path: "/api/v1/classes/{code}/debrief", Name: "class debrief", Access: SignedIn, Handler: s.classDebrief},
		{Method: "POST", Path: "/api/v1/classes/{code}/join", Name: "join class", Handler: s.joinClass},
		{Method: "GET", Path: "/api/v1/classes/{code}/me", Name: "student view", Access: ClassToken, Handler: s.studentView},
		{Method: "PUT", Path: "/api/v1/classes/{code}/me/consent", Name: "student consent", Access: ClassToken, Handler: s.studentConsent},
		{Method: "POST", Path: "/api/v1/classes/{code}/me/choices", Name: "student choices", Access: ClassToken, Handler: s.studentChoices},
		{Method: "POST", Path: "/api/v1/classes/{code}/me/reports", Name: "student report", Access: ClassToken, Handler: s.studentReport},
		{Method: "POST", Path: "/api/v1/classes/{code}/me/objections", Name: "student objection", Access: ClassToken, Handler: s.studentObjection},

		// Web pages (page_*.go): a session cookie instead of a bearer token,
		// a CSRF check on every POST, errors as HTML pages.
		{Method: "GET", Path: "/{$}", Name: "city page", Page: true, Handler: s.pageRoute(s.pageCity), Fail: s.pageFail},
		{Method: "GET", Path: "/scheme", Name: "scheme page", Page: true, Handler: s.pageRoute(s.pageScheme), Fail: s.pageFail},
		{Method: "GET", Path: "/quiz", Name: "self-test page", Page: true, Handler: s.pageRoute(s.pageQuiz), Fail: s.pageFail},
		{Method: "POST", Path: "/quiz", Name: "self-test result page", Page: true, Handler: s.pageRoute(s.pageQuizPost), Fail: s.pageFail},
		{Method: "GET", Path: "/list", Name: "public list page", Page: true, Handler: s.pageRoute(s.pagePublicList), Fail: s.pageFail},
		{Method: "GET", Path: "/citizens", Name: "find a citizen page", Page: true, Handler: s.pageRoute(s.pageSearch), Fail: s.pageFail},
		{Method: "GET", Path: "/citizens/{id}", Name: "file page", Page: true, Handler: s.pageRoute(s.pageFile), Fail: s.pageFail},
		{Method: "POST", Path: "/citizens/{id}/objections", Name: "objection form", Page: true, Handler: s.pageRoute(s.pageObject), Fail: s.pageFail},
		{Method: "POST", Path: "/citizens/{id}/consent", Name: "consent switch", Page: true, Handler: s.pageRoute(s.pageConsent), Fail: s.pageFail},
		{Method: "GET", Path: "/desk", Name: "desk page", Page: true, Handler: s.pageRoute(s.pageDesk), Fail: s.pageFail},
		{Method: "POST", Path: "/desk/report", Name: "report form", Page: true, Handler: s.pageRoute(s.pageReport), Fail: s.pageFail},
		{Method: "GET", Path: "/review", Name: "review page", Page: true, Handler: s.pageRoute(s.pageReview), Fail: s.pageFail},
		{Method: "POST", Path: "/review/{id}", Name: "decision form", Page: true, Handler: s.pageRoute(s.pageDecide), Fail: s.pageFail},
		{Method: "GET", Path: "/signin", Name: "sign-in page", Page: true, Handler: s.pageRoute(s.pageSignIn), Fail: s.pageFail},
		{Method: "POST", Path: "/signin", Name: "sign in", Page: true, Handler: s.pageRoute(s.pageSignInPost), Fail: s.pageFail},
		{Method: "POST", Path: "/signout", Name: "sign out", Page: true, Handler: s.pageRoute(s.pageSignOut), Fail: s.pageFail},
		// Classroom mode's pages (page_class.go), in the visitor's language.
		{Method: "GET", Path: "/class/new", Name: "new class page", Page: true, Handler: s.classRoute(s.pageClassNew), Fail: s.classFail},
		{Method: "POST", Path: "/class/new", Name: "open class form", Page: true, Handler: s.classRoute(s.pageClassCreate), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/board", Name: "board page", Page: true, Handler: s.classRoute(s.pageClassBoard), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/events", Name: "board events", Page: true, Handler: s.classRoute(s.pageClassEvents), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/qr.png", Name: "join QR code", Page: true, Handler: s.classRoute(s.pageClassQR), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/advance", Name: "advance form", Page: true, Handler: s.classRoute(s.pageClassAdvance), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/decide/{id}", Name: "class decision form", Page: true, Handler: s.classRoute(s.pageClassDecide), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/close", Name: "close class form", Page: true, Handler: s.classRoute(s.pageClassClose), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/summary.csv", Name: "class summary page", Page: true, Handler: s.classRoute(s.pageClassSummary), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/debrief", Name: "debrief page", Page: true, Handler: s.classRoute(s.pageClassDebrief), Fail: s.classFail},
		{Method: "GET", Path: "/join", Name: "join page", Page: true, Handler: s.classRoute(s.pageJoin), Fail: s.classFail},
		{Method: "POST", Path: "/join", Name: "join form", Page: true, Handler: s.classRoute(s.pageJoinPost), Fail: s.classFail},
		{Method: "GET", Path: "/class/{code}/me", Name: "student page", Page: true, Handler: s.classRoute(s.pageClassStudent), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/me/consent", Name: "consent form", Page: true, Handler: s.classRoute(s.pageClassConsent), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/me/play", Name: "play form", Page: true, Handler: s.classRoute(s.pageClassPlay), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/me/report", Name: "report classmate form", Page: true, Handler: s.classRoute(s.pageClassReport), Fail: s.classFail},
		{Method: "POST", Path: "/class/{code}/me/object", Name: "class objection form", Page: true, Handler: s.classRoute(s.pageClassObject), Fail: s.classFail},
		{Method: "GET", Path: "/static/{file...}", Name: "static", Page: true, Handler: s.staticFile, Fail: s.pageFail},
	}
}
