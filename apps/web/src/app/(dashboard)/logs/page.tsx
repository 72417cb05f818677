import { LogsPage } from "../../../features/logs";

export default function Page(): React.ReactNode {
  return <LogsPage />;
}
