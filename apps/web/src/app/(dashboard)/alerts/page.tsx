import { AlertsPage } from "../../../features/alerts";

export default function Page(): React.ReactNode {
  return <AlertsPage />;
}
