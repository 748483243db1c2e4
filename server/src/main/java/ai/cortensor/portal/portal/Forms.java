package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.Html;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/** Reads a posted form and enforces its size limit and CSRF token, answering the browser when either fails. */
final class Forms {
    private Forms() {}

    static Map<String, String> read(ServerRequest req, ServerResponse res, Gate gate, Html html) {
        Map<String, String> form;
        try {
            form = Web.form(req);
        } catch (Web.TooLarge e) {
            html.render(res, 413, "message.jte", AuthPages.params("page", gate.page(req, res, null, "Form too large", ""),
                    "text", "That form was larger than we accept (64 KB). Nothing was saved.",
                    "linkHref", "/portal", "linkText", "Back to the portal"));
            return null;
        }
        if (!gate.csrfOk(req, form)) {
            html.render(res, 403, "message.jte", AuthPages.params("page", gate.page(req, res, null, "Page expired", ""),
                    "text", "This form expired or did not come from this site, so nothing was saved. Reload the page and try again.",
                    "linkHref", "/portal", "linkText", "Reload"));
            return null;
        }
        return form;
    }
}
