package routes.model;

import dev.langchain4j.http.client.HttpClientBuilder;
import java.time.Duration;
import java.util.concurrent.Executor;

/** Builds {@link NonBlockingHttpClient}s that share one JDK client, its connection pool and its executor. */
public final class NonBlockingHttpClientBuilder implements HttpClientBuilder {

    private final java.net.http.HttpClient shared;
    private Duration connectTimeout;
    private Duration readTimeout;

    /**
     * @param executor runs the client's callbacks; they only hand tokens on, so a small pool serves many streams
     * @param connectTimeout time allowed to open a connection
     */
    public static java.net.http.HttpClient newJdkClient(Executor executor, Duration connectTimeout) {
        return java.net.http.HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(connectTimeout)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                .build();
    }

    public NonBlockingHttpClientBuilder(java.net.http.HttpClient shared) {
        this.shared = shared;
    }

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public HttpClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    @Override
    public HttpClientBuilder readTimeout(Duration timeout) {
        this.readTimeout = timeout;
        return this;
    }

    @Override
    public NonBlockingHttpClient build() {
        return new NonBlockingHttpClient(shared, readTimeout);
    }
}
