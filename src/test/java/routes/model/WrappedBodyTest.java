package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The model request body: UTF-8 with its length, one buffer per subscription, and the demand rules of a publisher. */
class WrappedBodyTest {

    @Test
    void aServerReceivesTheBodyAsUtf8WithItsLength() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Grüße, 你好 👋\"}]}";
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("Content-Length"));
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions"))
                    .POST(new WrappedBody(body)).build(), HttpResponse.BodyHandlers.discarding());

            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(received).containsExactly(
                    String.valueOf(body.getBytes(StandardCharsets.UTF_8).length), body);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void everySubscriptionGetsTheWholeBodyOnce() {
        WrappedBody body = new WrappedBody("héllo");

        Recorder first = new Recorder(Long.MAX_VALUE);
        Recorder second = new Recorder(1);
        body.subscribe(first);
        body.subscribe(second);

        assertThat(body.contentLength()).isEqualTo(6);
        assertThat(first.events).containsExactly("next héllo", "complete");
        assertThat(second.events).containsExactly("next héllo", "complete");
    }

    @Test
    void aDemandThatIsNotPositiveIsAnError() {
        Recorder recorder = new Recorder(0);

        new WrappedBody("x").subscribe(recorder);

        assertThat(recorder.events).singleElement().asString().startsWith("error request(0)");
    }

    @Test
    void aCancelledSubscriptionDeliversNothing() {
        List<String> events = new ArrayList<>();
        new WrappedBody("x").subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
                subscription.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                events.add("next");
            }

            @Override
            public void onError(Throwable throwable) {
                events.add("error");
            }

            @Override
            public void onComplete() {
                events.add("complete");
            }
        });

        assertThat(events).isEmpty();
    }

    /** Requests {@code demand} on subscription (and again from inside onNext) and writes down what it gets. */
    private static final class Recorder implements Flow.Subscriber<ByteBuffer> {
        private final long demand;
        private final List<String> events = new ArrayList<>();
        private Flow.Subscription subscription;

        Recorder(long demand) {
            this.demand = demand;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(demand);
        }

        @Override
        public void onNext(ByteBuffer item) {
            events.add("next " + StandardCharsets.UTF_8.decode(item));
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            events.add("error " + throwable.getMessage());
        }

        @Override
        public void onComplete() {
            events.add("complete");
        }
    }
}
