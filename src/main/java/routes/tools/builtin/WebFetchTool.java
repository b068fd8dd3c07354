package routes.tools.builtin;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import routes.tools.ToolDefinition;

/**
 * {@code web-fetch}: GETs a public http(s) URL and returns its text. Every URL, the first and each redirect target,
 * passes the {@link AddressGuard} and is fetched from the address the guard checked ({@link GuardedHttpGet}). HTML
 * becomes plain text; plain text and JSON come back as they are; anything else is refused.
 */
public class WebFetchTool implements BuiltInTool {

    static final String NAME = "web-fetch";

    private static final String SCHEMA = """
            {"type":"object",\
            "properties":{"url":{"type":"string","format":"uri",\
            "description":"The http or https URL to fetch, e.g. https://example.org/page"}},\
            "required":["url"],"additionalProperties":false}""";

    private final AddressGuard guard;
    private final WebFetchProperties properties;

    public WebFetchTool(AddressGuard guard, WebFetchProperties properties) {
        this.guard = guard;
        this.properties = properties;
    }

    @Override
    public ToolDefinition definition() {
        return new ToolDefinition(NAME, "Fetch a public web page or document by its http(s) URL and return its text "
                + "(HTML reduced to readable text; plain text and JSON as they are). Use it to read a page the "
                + "person links to or information you need from the web. Private and local network addresses are "
                + "refused, and long pages are cut.", SCHEMA, null, false, false);
    }

    @Override
    public String run(ToolInput input) {
        URI uri;
        try {
            uri = new URI(input.text("url").strip());
        } catch (URISyntaxException e) {
            return "refused: not a valid URL";
        }
        long deadline = System.nanoTime() + properties.getTimeout().toNanos();
        long maxBytes = properties.getMaxBytes().toBytes();
        try (var http = new GuardedHttpGet(guard, deadline)) {
            for (int redirects = 0; ; redirects++) {
                guard.checkUrl(uri); // the address rules apply when the client resolves the host
                var response = http.get(uri, maxBytes);
                if (!response.redirect()) {
                    return result(uri, response);
                }
                if (redirects == properties.getMaxRedirects()) {
                    return "refused: more than " + properties.getMaxRedirects() + " redirects";
                }
                String location = response.header("location");
                if (location == null || location.isBlank()) {
                    return "failed: HTTP " + response.status() + " redirect without a Location";
                }
                try {
                    uri = uri.resolve(new URI(location.strip()));
                } catch (URISyntaxException e) {
                    return "failed: redirect to an invalid URL";
                }
            }
        } catch (AddressGuard.Refused | GuardedDnsResolver.Refused e) {
            return "refused: " + e.getMessage();
        } catch (GuardedHttpGet.TimedOut e) {
            return "failed: no complete answer within " + properties.getTimeout().toMillis() + " ms";
        } catch (GuardedHttpGet.TooLarge e) {
            return "refused: the response is larger than " + maxBytes + " bytes";
        } catch (javax.net.ssl.SSLException e) {
            return "failed: TLS error (" + e.getMessage() + ")";
        } catch (IOException e) {
            return "failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private String result(URI uri, GuardedHttpGet.Response response) {
        if (response.status() < 200 || response.status() > 299) {
            return "failed: HTTP " + response.status() + (response.reason().isEmpty() ? "" : " " + response.reason());
        }
        String encoding = response.header("content-encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
            return "refused: compressed response (" + encoding + ")";
        }
        String contentType = response.header("content-type");
        if (contentType == null) {
            return "refused: the response has no content type";
        }
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        Charset charset = charset(contentType);
        String text;
        if (mediaType.equals("text/html") || mediaType.equals("application/xhtml+xml")) {
            var page = HtmlText.extract(response.body(), charset == null ? null : charset.name(), uri.toString());
            text = (page.title().isEmpty() ? "" : "Title: " + page.title() + "\n\n") + page.text();
        } else if (mediaType.equals("text/plain") || mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
            text = new String(response.body(), charset == null ? StandardCharsets.UTF_8 : charset);
        } else {
            return "refused: content type " + mediaType + " is not text, HTML or JSON";
        }
        String header = "URL: " + uri + "\n";
        int room = Math.max(0, properties.getMaxChars());
        if (text.length() > room) {
            text = text.substring(0, room) + "\n[cut: the page is longer than " + room + " characters]";
        }
        return header + text;
    }

    /** The Content-Type's charset, or null when it names none this JVM knows. */
    private static Charset charset(String contentType) {
        for (String parameter : contentType.split(";")) {
            String p = parameter.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", "").strip());
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
