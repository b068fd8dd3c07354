package routes.ops;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /hawtio}: the Hawtio console, which Spring Boot serves as an actuator endpoint. */
@RestController
public class ConsoleRedirect {

    @GetMapping({"/hawtio", "/hawtio/"})
    public ResponseEntity<Void> hawtio() {
        return ResponseEntity.status(HttpStatus.FOUND).header("Location", "/actuator/hawtio/").build();
    }
}
