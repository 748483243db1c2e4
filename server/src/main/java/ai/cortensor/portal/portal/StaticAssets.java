package ai.cortensor.portal.portal;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The portal's few static files, read from the classpath once; anything else under these paths is 404. */
final class StaticAssets {
    private record Asset(byte[] body, String type) {}

    private final Map<String, Asset> assets;

    StaticAssets() {
        String chartJsVersion = webjarVersion("chart.js");
        assets = Map.of(
                "/static/portal.css", load("static/portal.css", "text/css; charset=utf-8"),
                "/static/portal.js", load("static/portal.js", "text/javascript; charset=utf-8"),
                "/static/favicon.svg", load("static/favicon.svg", "image/svg+xml"),
                "/webjars/chart.js/dist/chart.umd.js", load("META-INF/resources/webjars/chart.js/" + chartJsVersion
                        + "/dist/chart.umd.js", "text/javascript; charset=utf-8"));
    }

    void serve(ServerRequest req, ServerResponse res) {
        Asset a = assets.get(req.path().path());
        if (a == null) {
            res.status(404).send("Not found");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, a.type());
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=3600");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.send(a.body());
    }

    private static String webjarVersion(String artifact) {
        String resource = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read the version of webjar " + artifact, e);
        }
    }

    private static Asset load(String resource, String type) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing static resource " + resource);
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
