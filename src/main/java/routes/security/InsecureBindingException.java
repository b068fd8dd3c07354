package routes.security;

/** Thrown at start-up when Caravan is asked to listen beyond this machine with no authentication configured. */
public class InsecureBindingException extends IllegalStateException {

    private final String address;

    public InsecureBindingException(String address) {
        super("caravan.http.bind-address=" + address + " needs authentication: set caravan.auth.token "
                + "(CARAVAN_AUTH_TOKEN) or caravan.auth.jwt.jwks-uri; without it Caravan listens on 127.0.0.1 only");
        this.address = address;
    }

    public String address() {
        return address;
    }
}
