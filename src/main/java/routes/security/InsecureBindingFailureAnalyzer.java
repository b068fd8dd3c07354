package routes.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused binding into Spring Boot's short "APPLICATION FAILED TO START" report, without a stack trace. */
public class InsecureBindingFailureAnalyzer extends AbstractFailureAnalyzer<InsecureBindingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InsecureBindingException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set caravan.auth.token (32+ random characters, e.g. `openssl rand -hex 16`), or remove "
                        + "caravan.http.bind-address to listen on 127.0.0.1 only.", cause);
    }
}
