/**
 * @module The console's entry: the router (preact-iso, paths under /console) and the sign-in guard —
 * with no session in memory every screen but sign-in sends the user to it, remembering where they
 * were headed. Each screen is one file under screens/.
 */
import { render } from "preact";
import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { useSession } from "./session";
import { SignIn } from "./screens/sign-in";
import { ServicesScreen } from "./screens/services";
import { NodesScreen } from "./screens/nodes";
import { UsersScreen } from "./screens/access/users";
import { RolesScreen } from "./screens/access/roles";
import { EnrollsScreen } from "./screens/access/enrolls";
import { OrgsScreen } from "./screens/access/orgs";
import { ApiKeysScreen } from "./screens/access/api-keys";
import { EdgeScreen } from "./screens/edge";
import { TrafficScreen } from "./screens/traffic";
import { homePath, Layout } from "./ui/layout";

const SIGN_IN = "/console/sign-in";

/** Replaces the location with `to` once rendered. */
function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

/** `/console/`: the first screen the user may use. */
function Home() {
  return <Redirect to={homePath()} />;
}

function NotFound() {
  return (
    <Layout title="Not found">
      <p>
        There is no console screen here. <a href={homePath()}>Go to the console's start</a>.
      </p>
    </Layout>
  );
}

/** Signed out: only sign-in renders; anything else redirects there with `next`. */
function Guarded() {
  const user = useSession();
  const { path, url } = useLocation();
  if (!user) {
    if (path === SIGN_IN) return <SignIn />;
    return <Redirect to={`${SIGN_IN}?next=${encodeURIComponent(url)}`} />;
  }
  return (
    <Router>
      <Route path="/console" component={Home} />
      <Route path="/console/" component={Home} />
      <Route path={SIGN_IN} component={Home} />
      <Route path="/console/services" component={ServicesScreen} />
      <Route path="/console/nodes" component={NodesScreen} />
      <Route path="/console/access/users" component={UsersScreen} />
      <Route path="/console/access/roles" component={RolesScreen} />
      <Route path="/console/access/enrolls" component={EnrollsScreen} />
      <Route path="/console/access/orgs" component={OrgsScreen} />
      <Route path="/console/access/api-keys" component={ApiKeysScreen} />
      <Route path="/console/edge" component={EdgeScreen} />
      <Route path="/console/traffic" component={TrafficScreen} />
      <Route default component={NotFound} />
    </Router>
  );
}

function App() {
  return (
    <LocationProvider scope="/console">
      <Guarded />
    </LocationProvider>
  );
}

render(<App />, document.getElementById("app")!);
